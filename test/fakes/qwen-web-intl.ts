// Fake chat.qwen.ai: token login, chat creation, the phase-tagged delta stream, and chat deletion.
// Like the real one it wants the Bearer token AND the browser cookies (a bare token gets
// {"code":"Bad_Request"}), and since mid-2026 its risk control: no x-request-id draws the WAF page,
// payloads without timestamp / project_id / message version get FAIL_SYS_USER_VALIDATE in the stream.
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson } from '../helpers/fake-server.js'
import { QWEN_THINKING, type QwenFake, cookiesOf, hex32, qwenAnswer, sendHtml, sendWafPage, sseResponse } from './qwen-web.js'

interface CompletionMessage {
  role?: string
  content?: string
  parent_id?: string | null
  version?: string
  extra?: { meta?: { subChatType?: string } }
  feature_config?: { thinking_enabled?: boolean; output_schema?: string; thinking_format?: string }
}

interface CompletionBody {
  stream?: boolean
  incremental_output?: boolean
  chat_id?: string
  model?: string
  parent_id?: string | null
  timestamp?: number
  project_id?: string
  messages?: CompletionMessage[]
}

/** What the site's risk control answers (mtop style); the shape is a peer's report, not a capture. */
const USER_VALIDATE = { ret: ['FAIL_SYS_USER_VALIDATE::哎哟喂,被挤爆啦,请稍后重试'], data: { url: 'https://chat.qwen.ai/_____tmd_____/punish?x5secdata=xx' } }
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

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

const jwtPart = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

/** POST /api/v{1,2}/auths/signin {email, password: sha256 hex}: a JWT, also set as the `token` cookie. */
function signin(fake: QwenFake, req: IncomingMessage, res: ServerResponse, version: string, raw: Record<string, unknown>) {
  if (version === 'v2' && fake.signinV1Only) return sendJson(res, 404, { detail: 'Not Found' })
  if (req.headers.source !== 'web' || !req.headers.version) return sendJson(res, 400, { success: false, data: { code: 'Bad_Request', details: 'headers' } })
  const password = fake.accounts.get(String(raw.email))
  if (password === undefined || raw.password !== createHash('sha256').update(password).digest('hex'))
    return sendJson(res, 401, { success: false, data: { code: 'Unauthorized', details: 'Incorrect email or password' } })
  const claims = { id: `u-${hex32().slice(0, 8)}`, email: raw.email, last_password_change: 1, exp: Math.floor(Date.now() / 1000) + 7 * 86400 }
  const token = `${jwtPart({ alg: 'HS256', typ: 'JWT' })}.${jwtPart(claims)}.${hex32()}`
  fake.tokens.add(token)
  const cookies = [`token=${token}; Path=/; HttpOnly`, `ssxmod_itna=${hex32()}; Path=/`]
  res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': cookies })
  res.end(JSON.stringify({ success: true, data: { token, token_type: 'Bearer', id: claims.id, email: raw.email } }))
}

export async function handleIntl(fake: QwenFake, req: IncomingMessage, res: ServerResponse, url: URL, raw: Record<string, unknown>) {
  const auth = /^\/api\/(v[12])\/auths\/signin$/.exec(url.pathname)
  if (auth && req.method === 'POST') return signin(fake, req, res, auth[1]!, raw)
  if (!UUID.test(String(req.headers['x-request-id'] ?? '')) || fake.scenario === 'waf') return sendWafPage(res)
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
    if (typeof raw.timestamp !== 'number' || typeof raw.project_id !== 'string') return sendJson(res, 200, USER_VALIDATE)
    const id = `${hex32().slice(0, 8)}-${hex32().slice(0, 4)}-4${hex32().slice(0, 3)}-a${hex32().slice(0, 3)}-${hex32().slice(0, 12)}`
    fake.sessions.set(id, { owner: who, lastId: null, prompts: [] })
    return sendJson(res, 200, { success: true, data: { id } })
  }
  if (url.pathname !== '/api/v2/chat/completions') return sendJson(res, 404, { success: false, data: { code: 'Not_Found' } })
  if (fake.requireBrowserCookies && !cookiesOf(req).has('cna')) return sendJson(res, 200, { code: 'Bad_Request', msg: 'Bad Request' })
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
  const send = (obj: unknown) => write(`data: ${JSON.stringify(obj)}\n\n`)
  const current = typeof body.timestamp === 'number' && typeof body.project_id === 'string' && m.version && m.extra?.meta?.subChatType
  if (fake.scenario === 'browser-check' || !current || !req.headers['bx-v']) {
    send(USER_VALIDATE)
    return res.end()
  }
  const responseId = hex32()
  chat.prompts.push(m.content)
  chat.lastId = responseId
  send({ 'response.created': { chat_id: chatId, parent_id: body.parent_id ?? null, response_id: responseId } })
  if (fake.scenario === 'rate-limit') {
    send({ error: { code: 'RateLimited', message: 'You have reached the rate limit' } })
    return res.end()
  }
  const delta = (content: string, phase: string | null, status = 'typing', extra: unknown = {}) =>
    send({ choices: [{ delta: { role: 'assistant', content, phase, status, extra } }] })
  if (m.feature_config?.thinking_enabled) {
    // The 2026 summary phase: a cumulative list of summary strings in extra, content left empty.
    let soFar = ''
    for (const p of pieces(QWEN_THINKING)) {
      soFar += p
      delta('', 'thinking_summary', 'typing', { summary_thought: { content: [soFar] } })
    }
    delta('', 'thinking_summary', 'finished', { summary_thought: { content: [QWEN_THINKING] } })
  }
  const answer = qwenAnswer(m.content, chat.prompts.length)
  for (const [i, p] of pieces(answer).entries()) {
    if (fake.scenario === 'slow' && i === 1) return
    delta(p, 'answer')
  }
  send({ choices: [{ delta: { content: '', phase: 'answer', status: 'finished' } }], usage: { input_tokens: 12, output_tokens: 34 } })
  res.end()
}
