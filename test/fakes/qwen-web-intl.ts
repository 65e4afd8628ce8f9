// Fake chat.qwen.ai: chat creation, the phase-tagged delta stream, and chat deletion. Like the real
// one it wants the Bearer token AND the browser cookies (a bare token gets {"code":"Bad_Request"}).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson } from '../helpers/fake-server.js'
import { QWEN_THINKING, type QwenFake, cookiesOf, hex32, qwenAnswer, sendHtml, sseResponse } from './qwen-web.js'

interface CompletionBody {
  stream?: boolean
  incremental_output?: boolean
  chat_id?: string
  model?: string
  parent_id?: string | null
  messages?: { role?: string; content?: string; parent_id?: string | null; feature_config?: { thinking_enabled?: boolean; output_schema?: string } }[]
}

function tokenOwner(fake: QwenFake, req: IncomingMessage): string | undefined {
  const auth = String(req.headers.authorization ?? '')
  const token = auth.replace(/^Bearer /, '')
  if (!token || token !== cookiesOf(req).get('token') || !fake.tokens.has(token)) return undefined
  return token
}

function pieces(text: string): string[] {
  const chars = Array.from(text)
  const out: string[] = []
  for (let i = 0; i < chars.length; i += 4) out.push(chars.slice(i, i + 4).join(''))
  return out
}

export async function handleIntl(fake: QwenFake, req: IncomingMessage, res: ServerResponse, url: URL, raw: Record<string, unknown>) {
  const who = tokenOwner(fake, req)
  if (!who) return sendJson(res, 401, { success: false, data: { code: 'Unauthorized', details: 'token is invalid or expired' } })
  if (req.headers.source !== 'web' || !req.headers.version) return sendJson(res, 400, { success: false, data: { code: 'Bad_Request', details: 'headers' } })
  const del = /^\/api\/v2\/chats\/([\w-]+)$/.exec(url.pathname)
  if (del && req.method === 'DELETE') {
    if (fake.sessions.get(del[1]!)?.owner !== who) return sendJson(res, 404, { success: false, data: { code: 'Not_Found', details: 'chat' } })
    fake.sessions.delete(del[1]!)
    fake.deleted.push(del[1]!)
    return sendJson(res, 200, { success: true, data: { status: true } })
  }
  if (url.pathname === '/api/v2/chats/new') {
    const id = `${hex32().slice(0, 8)}-${hex32().slice(0, 4)}-4${hex32().slice(0, 3)}-a${hex32().slice(0, 3)}-${hex32().slice(0, 12)}`
    fake.sessions.set(id, { owner: who, lastId: null, prompts: [] })
    return sendJson(res, 200, { success: true, data: { id } })
  }
  if (url.pathname !== '/api/v2/chat/completions') return sendJson(res, 404, { success: false, data: { code: 'Not_Found' } })
  if (!cookiesOf(req).has('cna')) return sendJson(res, 200, { code: 'Bad_Request', msg: 'Bad Request' })
  const body = raw as CompletionBody
  const chatId = url.searchParams.get('chat_id') ?? ''
  const m = body.messages?.[0]
  if (!body.stream || !body.incremental_output || body.chat_id !== chatId || m?.role !== 'user' || !m.content || m.feature_config?.output_schema !== 'phase')
    return sendJson(res, 200, { success: false, data: { code: 'Bad_Request', details: 'body' } })
  const chat = fake.sessions.get(chatId)
  if (!chat || chat.owner !== who) return sendJson(res, 200, { success: false, data: { code: 'Not_Found', details: 'chat not found' } })
  if (chat.lastId !== (body.parent_id ?? null) || m.parent_id !== body.parent_id)
    return sendJson(res, 200, { success: false, data: { code: 'Bad_Request', details: 'parent_id mismatch' } })
  if (fake.scenario === 'html') return sendHtml(res)
  const write = sseResponse(fake, res)
  const responseId = hex32()
  chat.prompts.push(m.content)
  chat.lastId = responseId
  const send = (obj: unknown) => write(`data: ${JSON.stringify(obj)}\n\n`)
  send({ 'response.created': { chat_id: chatId, parent_id: body.parent_id ?? null, response_id: responseId } })
  if (fake.scenario === 'rate-limit') {
    send({ error: { code: 'RateLimited', message: 'You have reached the rate limit' } })
    return res.end()
  }
  const delta = (content: string, phase: string | null, status = 'typing') =>
    send({ choices: [{ delta: { role: 'assistant', content, phase, status, extra: {} } }] })
  if (m.feature_config?.thinking_enabled) {
    for (const p of pieces(QWEN_THINKING)) delta(p, 'think')
    delta('', 'think', 'finished')
  }
  const answer = qwenAnswer(m.content, chat.prompts.length)
  for (const [i, p] of pieces(answer).entries()) {
    if (fake.scenario === 'slow' && i === 1) return
    delta(p, 'answer')
  }
  send({ choices: [{ delta: { content: '', phase: 'answer', status: 'finished' } }], usage: { input_tokens: 12, output_tokens: 34 } })
  res.end()
}
