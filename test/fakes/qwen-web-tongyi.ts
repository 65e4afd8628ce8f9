// Fake legacy Tongyi (qianwen.biz.aliyun.com): /dialog/conversation (cumulative SSE), session
// delete and list, with the fixed XSRF header and ticket cookie checks.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson } from '../helpers/fake-server.js'
import { HEX32, type QwenFake, cookiesOf, growing, hex32, qwenAnswer, sendHtml, sseResponse } from './qwen-web.js'

const XSRF = '48b9ee49-a184-45e2-9f67-fa87213edcdc'

interface TongyiBody {
  mode?: string
  action?: string
  requestId?: string
  sessionId?: string
  sessionType?: string
  parentMsgId?: string
  contents?: { content?: string; contentType?: string; role?: string }[]
}

const envelope = (errorCode: string, errorMsg: string) => ({ success: false, errorCode, errorMsg, data: null })

function owner(fake: QwenFake, req: IncomingMessage): string | undefined {
  const jar = cookiesOf(req)
  const short = jar.get('tongyi_sso_ticket')
  const long = jar.get('login_aliyunid_ticket')
  const ticket = short ?? long
  // The ticket must travel under the name its length implies, next to the fixed cookies.
  const named = short ? short.length <= 100 : (long?.length ?? 0) > 100
  if (!ticket || !named || !fake.tickets.has(ticket) || jar.get('aliyun_choice') !== 'intl' || !jar.get('t')) return undefined
  return ticket
}

export async function handleTongyi(fake: QwenFake, req: IncomingMessage, res: ServerResponse, path: string, raw: Record<string, unknown>) {
  if (req.headers['x-xsrf-token'] !== XSRF || req.headers['x-platform'] !== 'pc_tongyi')
    return sendJson(res, 403, envelope('XSRF_INVALID', 'xsrf token invalid'))
  const who = owner(fake, req)
  if (!who) return sendJson(res, 200, envelope('NOT_LOGIN', '用户未登录'))
  if (path === '/dialog/session/list') return sendJson(res, 200, { success: true, errorCode: null, data: [{ sessionId: hex32() }] })
  if (path === '/dialog/session/delete') {
    const id = String(raw.sessionId)
    if (fake.sessions.get(id)?.owner !== who) return sendJson(res, 200, envelope('SESSION_NO_EXIST', 'session not exist'))
    fake.sessions.delete(id)
    fake.deleted.push(id)
    return sendJson(res, 200, { success: true, errorCode: null, data: true })
  }
  if (path !== '/dialog/conversation') return sendJson(res, 404, envelope('NOT_FOUND', path))
  const body = raw as TongyiBody
  const c = body.contents?.[0]
  if (body.mode !== 'chat' || body.action !== 'next' || body.sessionType !== 'text_chat' || !HEX32.test(body.requestId ?? ''))
    return sendJson(res, 200, envelope('PARAM_ERROR', 'bad body'))
  if (c?.role !== 'user' || c.contentType !== 'text' || !c.content) return sendJson(res, 200, envelope('PARAM_ERROR', 'bad contents'))
  if (fake.scenario === 'html') return sendHtml(res)
  const write = sseResponse(fake, res)
  let sessionId = body.sessionId ?? ''
  let session = fake.sessions.get(sessionId)
  if (!sessionId) {
    sessionId = hex32()
    session = { owner: who, lastId: null, prompts: [] }
    fake.sessions.set(sessionId, session)
  } else if (!session || session.owner !== who || session.lastId !== body.parentMsgId) {
    write(`data: ${JSON.stringify({ sessionId, msgId: '', msgStatus: 'finished', errorCode: 'SESSION_NO_EXIST', contents: [] })}\n\n`)
    return res.end()
  }
  const msgId = hex32()
  session!.prompts.push(c.content)
  session!.lastId = msgId
  const answer = qwenAnswer(c.content, session!.prompts.length)
  const frame = (text: string, msgStatus: string, canShare = true) =>
    write(
      `data: ${JSON.stringify({ sessionId, msgId, msgStatus, contentType: 'text', contentFrom: 'text', canShare, errorCode: '', contents: [{ contentType: 'text', role: 'assistant', content: text }] })}\n\n`,
    )
  if (fake.scenario === 'rate-limit') {
    write(`data: ${JSON.stringify({ sessionId, msgId, msgStatus: 'finished', errorCode: 'FREQUENCY_LIMIT', errorMsg: '请求过于频繁', contents: [] })}\n\n`)
    return res.end()
  }
  const pieces = growing(answer, 3)
  for (const [i, text] of pieces.entries()) {
    if (fake.scenario === 'slow' && i === 1) return
    frame(text, 'generating')
  }
  frame(answer, 'finished', fake.scenario !== 'filter')
  write('data: [DONE]\n\n')
  res.end()
}
