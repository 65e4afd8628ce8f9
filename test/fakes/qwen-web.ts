// Fake Qwen upstreams on one server: www.qianwen.com (chat2 + chat2-api paths), legacy Tongyi
// (/dialog/*) and chat.qwen.ai (/api/v2/chats*, /api/v2/chat/completions), each checking what
// the real one checks (ticket / token + cookies, fixed headers, ids, session threading).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type RunningServer, readJson, sendJson, startServer } from '../helpers/fake-server.js'
import { handleIntl } from './qwen-web-intl.js'
import { handleTongyi } from './qwen-web-tongyi.js'

export type QwenScenario =
  | 'answer'
  | 'sources' // qianwen: bar/iframe sources before the answer
  | 'message-framing' // qianwen Qwen3.7-Max style: `event: message` and a bare `true` chunk
  | 'sign-required' // qianwen demands an ACS signature (EX015)
  | 'rate-limit'
  | 'filter' // tongyi: canShare false
  | 'html' // a login / captcha page
  | 'slow' // one piece of the answer, then silence until the client leaves
  | 'stream-2026' // qianwen: bar/workflow thinking, answer in multi_load[0].content, sse_end "1", then silence
  | 'browser-check' // chat.qwen.ai: FAIL_SYS_USER_VALIDATE inside the 200 stream
  | 'waf' // chat.qwen.ai: the Aliyun WAF page

export interface QwenCall {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: Record<string, unknown>
}

export interface QwenSession {
  owner: string
  /** Id the next turn must name as its parent. */
  lastId: string | null
  prompts: string[]
}

export interface QwenFake extends RunningServer {
  /** Valid Aliyun tickets (qianwen, tongyi) and chat.qwen.ai tokens. */
  tickets: Set<string>
  tokens: Set<string>
  /** chat.qwen.ai accounts for token login: e-mail → password (the fake expects its SHA-256 hex). */
  accounts: Map<string, string>
  /** chat.qwen.ai: only the v1 sign-in path exists (v2 answers 404). */
  signinV1Only: boolean
  /** chat.qwen.ai: completions need the browser cookies (cna...), as the real site does for pasted tokens. */
  requireBrowserCookies: boolean
  scenario: QwenScenario
  calls: QwenCall[]
  sessions: Map<string, QwenSession>
  deleted: string[]
  aborted: number
}

export const QWEN_THINKING = '用户打招呼，我需要友好回应。'
export const QWEN_SOURCES = [
  { title: '通义千问', url: 'https://qianwen.example.com/a' },
  { title: '阿里云', url: 'https://aliyun.example.com/b' },
]
export const qwenAnswer = (prompt: string, turn: number) => `第${turn}轮：您好！关于「${prompt}」，我来回答。✨`

export const HEX32 = /^[0-9a-f]{32}$/
export const hex32 = () => Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('')

export function cookiesOf(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>()
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return jar
}

export function growing(text: string, step = 4): string[] {
  const chars = Array.from(text)
  const out: string[] = []
  for (let i = step; i < chars.length + step; i += step) out.push(chars.slice(0, Math.min(i, chars.length)).join(''))
  return out
}

/** An SSE response that counts client disconnects before its end. */
export function sseResponse(fake: QwenFake, res: ServerResponse): (chunk: string) => void {
  res.on('close', () => {
    if (!res.writableEnded) fake.aborted++
  })
  res.writeHead(200, { 'content-type': 'text/event-stream;charset=UTF-8', 'cache-control': 'no-cache' })
  return (chunk) => {
    if (!res.writableEnded) res.write(chunk)
  }
}

export function sendHtml(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  res.end('<!DOCTYPE html><html><body>请登录 / captcha</body></html>')
}

/** The Aliyun WAF's interstitial (its marker, `aliyun_waf_aa`, is what peers match on). */
export function sendWafPage(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  res.end('<!DOCTYPE html><html><head><script>var aliyun_waf_aa="a1b2c3";</script></head><body>Verifying…</body></html>')
}

interface QianwenBody {
  req_id?: string
  parent_req_id?: string
  session_id?: string
  scene_param?: string
  deep_search?: string
  biz_id?: string
  protocol_version?: string
  model?: string
  messages?: { mime_type?: string; content?: string; meta_data?: { ori_query?: string } }[]
}

function ticketOf(req: IncomingMessage): string | undefined {
  const jar = cookiesOf(req)
  return jar.get('tongyi_sso_ticket') ?? jar.get('login_aliyunid_ticket')
}

function qianwenRejection(fake: QwenFake, req: IncomingMessage, query: URLSearchParams, body: QianwenBody): string | undefined {
  const h = req.headers
  const jar = cookiesOf(req)
  const reqId = body.req_id ?? ''
  const fixed = { biz_id: 'ai_qwen', chat_client: 'h5', device: 'pc', fr: 'pc', pr: 'qwen' }
  if (Object.entries(fixed).some(([k, v]) => query.get(k) !== v)) return 'query'
  const ts = Number(query.get('timestamp'))
  if (!query.get('ut') || !/^[a-z0-9]{8,16}$/.test(query.get('nonce') ?? '') || Math.abs(Date.now() - ts) > 300_000) return 'query'
  if (h['x-platform'] !== 'pc_tongyi' || h['x-device-id'] !== query.get('ut') || h['x-wpk-bid'] !== '66ur41cs-cntu1744') return 'headers'
  if (h['x-chat-id'] !== reqId || h['x-wpk-reqid'] !== reqId || h.origin !== 'https://www.qianwen.com') return 'headers'
  if (JSON.parse(String(h['x-chat-biz'] ?? '{}')).chatId !== reqId) return 'headers'
  if (jar.has('XSRF-TOKEN') && h['x-csrf-token'] !== jar.get('XSRF-TOKEN')) return 'csrf'
  const m = body.messages?.[0]
  if (!HEX32.test(reqId) || !HEX32.test(body.session_id ?? '') || body.protocol_version !== 'v2' || body.biz_id !== 'ai_qwen') return 'body'
  if (m?.mime_type !== 'text/plain' || !m.content || m.meta_data?.ori_query !== m.content) return 'body'
  return fake.tickets.has(ticketOf(req) ?? '') ? undefined : 'login'
}

async function qianwenChat(fake: QwenFake, req: IncomingMessage, res: ServerResponse, query: URLSearchParams, body: QianwenBody) {
  const problem = qianwenRejection(fake, req, query, body)
  if (problem === 'login') return sendJson(res, 200, { success: false, error_code: 'NOT_LOGIN', error_msg: '用户未登录' })
  if (problem) return sendJson(res, 200, { success: false, error_code: 'PARAM_ERROR', error_msg: `bad ${problem}` })
  if (fake.scenario === 'sign-required') return sendJson(res, 200, { success: false, error_code: 'EX015', error_msg: 'need acs sign' })
  if (fake.scenario === 'html') return sendHtml(res)
  const sessionId = body.session_id!
  const owner = ticketOf(req)!
  let session = fake.sessions.get(sessionId)
  if (body.scene_param === 'first_turn') {
    if (session || body.parent_req_id !== '0') return sendJson(res, 200, { success: false, error_code: 'SESSION_EXIST', error_msg: 'session exists' })
    session = { owner, lastId: null, prompts: [] }
    fake.sessions.set(sessionId, session)
  } else if (body.scene_param !== 'continue_chat' || !session || session.owner !== owner || session.lastId !== body.parent_req_id) {
    return sendJson(res, 200, { success: false, error_code: 'SESSION_NO_EXIST', error_msg: 'session not found' })
  }
  const prompt = body.messages![0]!.content!
  session.prompts.push(prompt)
  session.lastId = body.req_id!
  const write = sseResponse(fake, res)
  if (fake.scenario === 'stream-2026') return qianwen2026(write, sessionId, body.req_id!, prompt, session.prompts.length, body.deep_search === '1')
  const named = fake.scenario === 'message-framing' ? 'event: message\n' : ''
  const frame = (messages: unknown[], extra: Record<string, unknown> = {}) =>
    write(`${named}data: ${JSON.stringify({ error_code: 0, error_msg: '', data: { messages }, communication: { sessionid: sessionId, reqid: body.req_id }, ...extra })}\n\n`)
  frame([{ mime_type: 'signal/post', content: '', status: 'complete', meta_data: { intent: 'chat' } }])
  if (fake.scenario === 'rate-limit') {
    write(`data: ${JSON.stringify({ error_code: 429, error_msg: '请求过于频繁，请稍后再试' })}\n\n`)
    return res.end()
  }
  if (fake.scenario === 'message-framing') write('event: message\ndata: true\n\n')
  if (fake.scenario === 'sources')
    frame([{ mime_type: 'bar/iframe', content: JSON.stringify({ list: QWEN_SOURCES }), status: 'complete', meta_data: {} }])
  const thinking = body.deep_search === '1'
  if (thinking) frame([{ mime_type: 'bar/progress', content: '', status: 'processing', meta_data: { type: 'deep_thinking' } }])
  const answer = qwenAnswer(prompt, session.prompts.length)
  const prefix = thinking ? '[(multimodal_chat_think_1)]' : ''
  const thoughts = thinking ? growing(QWEN_THINKING, 5) : []
  const steps = Math.max(thoughts.length, 1)
  for (let i = 0; i < steps; i++) {
    const multi = [{ content: { think_content: thoughts[i] ?? '' } }]
    frame([{ mime_type: 'multi_load/iframe', content: prefix.slice(0, 10 * i), status: 'processing', meta_data: { multi_load: multi } }])
  }
  const finalThought = [{ content: { think_content: thinking ? QWEN_THINKING : '' } }]
  const pieces = growing(answer)
  for (const [i, text] of pieces.entries()) {
    if (fake.scenario === 'slow' && i === 1) return // keep the connection open
    const status = i === pieces.length - 1 ? 'complete' : 'processing'
    frame([{ mime_type: 'multi_load/iframe', content: prefix + text, status, meta_data: { multi_load: finalThought } }])
  }
  const usage = { input_tokens: Array.from(prompt).length, output_tokens: Array.from(answer).length }
  write(`event: complete\ndata: ${JSON.stringify({ error_code: 0, error_msg: '', data: { messages: [] }, extra_info: { chat_odps: { total_usage: usage } } })}\n\n`)
  res.end()
}

/**
 * The 2026-09 stream (unverified capture): frames come in pairs per chunk, `communication` inside
 * `data`, thinking as bar/workflow snapshots, the answer snapshot in meta_data.multi_load[0].content,
 * and `sse_end: "1"` as the end, after which this fake keeps the connection open.
 */
function qianwen2026(write: (chunk: string) => void, sessionId: string, reqId: string, prompt: string, turn: number, thinking: boolean): void {
  let resid = 0
  const frame = (messages: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ error_code: 0, error_msg: '', data: { messages, communication: { sessionid: sessionId, reqid: reqId, resid: ++resid }, ...extra } })}\n\n`
  const frames: string[] = []
  if (thinking)
    for (const body of ['', ...growing(QWEN_THINKING, 5)]) {
      const item = { type: 'bar_thinking', source_seq: 1, content: { title: '深度思考', body, status: body === QWEN_THINKING ? 'complete' : 'processing' } }
      frames.push(frame([{ mime_type: 'bar/workflow', status: 'processing', meta_data: { multi_load: [item] } }]))
    }
  for (const [i, text] of growing(qwenAnswer(prompt, turn)).entries()) {
    const meta = { multi_load: [{ content: text, ...(i === 0 ? { first_packet: true } : {}) }] }
    frames.push(frame([{ mime_type: 'multi_load/iframe', status: 'processing', meta_data: meta }]))
  }
  frames.push(frame([], { sse_end: '1' }))
  for (let i = 0; i < frames.length; i += 2) write(frames.slice(i, i + 2).join(''))
}

export async function startQwenFake(): Promise<QwenFake> {
  const fake = {
    tickets: new Set(['ticket-valid-1']),
    tokens: new Set<string>(),
    accounts: new Map<string, string>(),
    signinV1Only: false,
    requireBrowserCookies: true,
    scenario: 'answer',
    calls: [],
    sessions: new Map(),
    deleted: [],
    aborted: 0,
  } as Omit<QwenFake, keyof RunningServer> as QwenFake

  async function route(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const url = new URL(req.url ?? '/', 'http://fake')
    const body = req.method === 'POST' ? await readJson<Record<string, unknown>>(req) : {}
    fake.calls.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body })
    if (url.pathname === '/api/v2/chat' && req.method === 'POST') return qianwenChat(fake, req, res, url.searchParams, body)
    if (url.pathname === '/api/v1/model/list' && req.method === 'GET') {
      if (!fake.tickets.has(ticketOf(req) ?? '')) return sendJson(res, 200, { success: false, error_code: 'NOT_LOGIN', error_msg: '用户未登录' })
      return sendJson(res, 200, { success: true, error_code: 0, data: [{ model: 'Qwen' }, { model: 'Qwen3-Max' }] })
    }
    if (url.pathname === '/api/v1/session/delete/batch' && req.method === 'POST') {
      const ids = (body.session_ids as string[] | undefined) ?? []
      const owner = ticketOf(req)
      if (!owner || !fake.tickets.has(owner)) return sendJson(res, 200, { success: false, error_code: 'NOT_LOGIN', error_msg: '用户未登录' })
      for (const id of ids) if (fake.sessions.get(id)?.owner === owner && fake.sessions.delete(id)) fake.deleted.push(id)
      return sendJson(res, 200, { success: true, error_code: 0 })
    }
    if (url.pathname.startsWith('/dialog/')) return handleTongyi(fake, req, res, url.pathname, body)
    if (url.pathname.startsWith('/api/v2/chat') || /^\/api\/v[12]\/auths\/signin$/.test(url.pathname)) return handleIntl(fake, req, res, url, body)
    return sendJson(res, 404, { success: false, error_code: 'NOT_FOUND', error_msg: url.pathname })
  }

  const server = await startServer(async (req, res) => {
    await route(req, res)
  })
  return Object.assign(fake, server)
}
