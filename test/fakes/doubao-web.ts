// Fake www.doubao.com and www.dola.com: the server side of /chat/completion (named events; the
// `aid` tells the two sites apart, each with its own query, body and event shapes), the legacy
// /samantha/chat/completion (numeric event types), thread delete and the passport probe, with the
// checks the real service makes (session cookie, CSRF header, no forged a_bogus/msToken, body shape).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type RunningServer, readJson, sendJson, startServer } from '../helpers/fake-server.js'
import { dolaAnswer, dolaProblems } from './doubao-web-dola.js'

export type DoubaoScenario =
  | 'answer' // thinking (when asked) + answer through CHUNK_DELTA
  | 'patch' // answer through STREAM_CHUNK patch ops instead of CHUNK_DELTA
  | 'search' // a search-result block before the answer
  | 'rate-limit' // a plain "too frequent" STREAM_ERROR after the ack
  | 'captcha' // 710022004 with the slider decision (STREAM_ERROR, or event 2005 on samantha)
  | 'filter' // STREAM_ERROR for sensitive content
  | 'challenge' // an HTML verification page
  | 'slow' // one delta, then silence until the client leaves

export interface RecordedCall {
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: Record<string, unknown>
}

export interface Conversation {
  session: string
  sectionId: string
  prompts: string[]
}

export interface DoubaoFake extends RunningServer {
  /** Session ids the fake accepts. */
  sessions: Set<string>
  /** Accepted sessions the risk control has flagged: every chat gets the slider captcha. */
  captchaSessions: Set<string>
  scenario: DoubaoScenario
  calls: RecordedCall[]
  conversations: Map<string, Conversation>
  deleted: string[]
  /** Streams the client closed before the end. */
  aborted: number
}

export const DOUBAO_USER = { user_id: 3_456_789_012, name: '豆包测试用户' }
export const THINKING_TEXT = '用户在问候，我应该礼貌地回答。'
export const answerFor = (prompt: string, turn: number) => `第${turn}轮：你好！你说的是「${prompt}」。😊`
export const SEARCH_SOURCES = [
  { url: 'https://example.com/a', title: '北京天气' },
  { url: 'https://example.org/b', title: '中国气象局' },
]

export interface CompletionBody {
  messages?: { local_message_id?: string; content_block?: { block_type?: number; content?: { text_block?: { text?: unknown } } }[] }[]
  option?: {
    need_deep_think?: number
    need_create_conversation?: boolean
    create_time_ms?: unknown
    recovery_option?: unknown
    sse_recv_event_options?: { support_chunk_delta?: boolean }
  }
  ext?: { use_deep_think?: string }
  client_meta?: { bot_id?: string; conversation_id?: string }
  chat_ability?: { ability_type?: unknown }
  user_context?: unknown
}

export const DOLA_BOT_ID = '7339470689562525703'
/** The captcha demand as issue reports quote it: a "rate limited" message with a verify decision. */
export const CAPTCHA_ERROR = {
  code: 710_022_004,
  message: 'rate limited',
  error_detail: {
    ext: { decision: JSON.stringify({ type: 'verify', subtype: 'slide', from: 'shark_admin', verify_scene: 'doubao_message_web' }) },
  },
}

interface SamanthaBody {
  messages?: { content?: string; content_type?: number }[]
  local_message_id?: string
  conversation_id?: string
  completion_option?: { need_create_conversation?: boolean }
}

/** doubao.com's own query and bot (the site-independent checks follow in `completion`). */
function doubaoProblems(query: URLSearchParams, body: CompletionBody): string[] {
  const problems: string[] = []
  if (query.get('aid') !== '582478' || query.get('real_aid') !== '582478') problems.push('aid')
  if (!/^\d{15,20}$/.test(query.get('device_id') ?? '') || !/^\d{15,20}$/.test(query.get('web_id') ?? '')) problems.push('device')
  if (body.client_meta?.bot_id !== '7338286299411103781') problems.push('bot')
  return problems
}

const numericId = () => `74${String(Math.floor(Math.random() * 1e15)).padStart(15, '0')}`
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function cookiesOf(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>()
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return jar
}

/** Characters cut into small deltas, including multi-byte ones. */
export function pieces(text: string, size = 3): string[] {
  const chars = Array.from(text)
  const out: string[] = []
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''))
  return out
}

export async function startDoubaoFake(): Promise<DoubaoFake> {
  const state: Omit<DoubaoFake, keyof RunningServer> = {
    sessions: new Set(['sid-valid-1', 'sid-flagged']),
    captchaSessions: new Set(['sid-flagged']),
    scenario: 'answer',
    calls: [],
    conversations: new Map(),
    deleted: [],
    aborted: 0,
  }

  /** Common checks; answers with the rejection and returns undefined when one fails. */
  function authorize(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): string | undefined {
    const jar = cookiesOf(req)
    if (query.has('a_bogus')) {
      sendJson(res, 200, { code: 710_012_003, msg: 'a_bogus verify failed' })
      return undefined
    }
    if (query.has('msToken') && query.get('msToken') !== jar.get('msToken')) {
      sendJson(res, 200, { code: 710_012_003, msg: 'msToken verify failed' })
      return undefined
    }
    const csrf = jar.get('passport_csrf_token')
    if (csrf && req.headers['x-tt-passport-csrf-token'] !== csrf) {
      sendJson(res, 403, { code: 710_012_004, msg: 'csrf token mismatch' })
      return undefined
    }
    const sid = jar.get('sessionid')
    if (!sid || !state.sessions.has(sid) || jar.get('sessionid_ss') !== sid) {
      sendJson(res, 200, { code: 710_012_001, msg: 'session expired, please login again' })
      return undefined
    }
    return sid
  }

  function openStream(res: ServerResponse): { write: (s: string) => void; ended: () => boolean } {
    res.on('close', () => {
      if (!res.writableEnded) state.aborted++
    })
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
    return {
      write: (s: string) => {
        if (!res.writableEnded) res.write(s)
      },
      ended: () => res.writableEnded,
    }
  }

  /** Conversation lookup shared by both generations; undefined → already answered with an error. */
  function conversationFor(sid: string, conversationId: string, create: boolean): [string, Conversation] | undefined {
    if (conversationId === '0') {
      if (!create) return undefined
      const id = numericId()
      const conv = { session: sid, sectionId: numericId(), prompts: [] }
      state.conversations.set(id, conv)
      return [id, conv]
    }
    const conv = state.conversations.get(conversationId)
    if (create || !conv || conv.session !== sid) return undefined
    return [conversationId, conv]
  }

  async function completion(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, body: CompletionBody) {
    const sid = authorize(req, res, query)
    if (!sid) return
    const dola = query.get('aid') === '495671'
    const problems = dola ? dolaProblems(req, query, body) : doubaoProblems(query, body)
    if (!query.get('fp')?.startsWith('verify_') || query.get('device_platform') !== 'web') problems.push('fp')
    if (!String(req.headers.accept).includes('text/event-stream')) problems.push('accept')
    const message = body.messages?.[0]
    const block = message?.content_block?.at(-1)
    const prompt = block?.content?.text_block?.text
    if (block?.block_type !== 10000 || typeof prompt !== 'string' || !UUID.test(message?.local_message_id ?? '')) problems.push('message')
    const think = body.option?.need_deep_think ?? -1
    if (![0, 1, 3].includes(think) || body.ext?.use_deep_think !== String(think)) problems.push('think')
    if (problems.length) return sendJson(res, 200, { code: 710_010_001, msg: `invalid request: ${problems.join(',')}` })
    const found = conversationFor(sid, String(body.client_meta?.conversation_id), body.option?.need_create_conversation === true)
    if (!found) return sendJson(res, 200, { code: 710_012_010, msg: 'conversation not found' })
    if (state.scenario === 'challenge') {
      res.writeHead(200, { 'content-type': 'text/html' })
      return res.end('<html><body>请完成安全验证</body></html>')
    }
    const [conversationId, conv] = found
    conv.prompts.push(prompt as string)
    const s = openStream(res)
    const send = (event: string, data: unknown) => s.write(`event: ${event}\r\ndata: ${JSON.stringify(data)}\r\n\r\n`)
    if (state.scenario === 'captcha' || state.captchaSessions.has(sid)) {
      send('STREAM_ERROR', { error_code: CAPTCHA_ERROR.code, error_msg: CAPTCHA_ERROR.message, error_detail: CAPTCHA_ERROR.error_detail })
      return s.ended() || res.end()
    }
    if (dola) return dolaAnswer(send, conversationId, conv, prompt as string, think, () => res.end())
    s.write(': connected\r\n\r\n')
    // The ack's JSON is split over two data lines, which SSE joins with a newline.
    const ack = JSON.stringify({ ack_client_meta: { conversation_id: conversationId, section_id: conv.sectionId } })
    const cut = ack.indexOf(':') + 1
    s.write(`event: SSE_ACK\r\ndata: ${ack.slice(0, cut)}\r\ndata: ${ack.slice(cut)}\r\n\r\n`)
    if (state.scenario === 'rate-limit') {
      send('STREAM_ERROR', { error_code: 710_022_001, error_msg: '请求过于频繁，请稍后再试' })
      return s.ended() || res.end()
    }
    if (state.scenario === 'filter') {
      send('STREAM_ERROR', { error_code: 710_022_100, error_msg: '内容包含敏感信息' })
      return s.ended() || res.end()
    }
    const textBlock = (id: string, type: number, text = '', extra: Record<string, unknown> = {}) => ({
      block_type: type,
      block_id: id,
      parent_id: '',
      is_finish: false,
      content: { text_block: { text } },
      ...extra,
    })
    if (state.scenario === 'search')
      send('STREAM_MSG_NOTIFY', {
        content: { content_block: [{ block_type: 10025, block_id: 's1', content: { search_result_block: { results: SEARCH_SOURCES.map((r) => ({ text_card: r })) } } }] },
      })
    if (think > 0) {
      send('STREAM_MSG_NOTIFY', { content: { content_block: [textBlock('t1', 10040)] } })
      for (const p of pieces(THINKING_TEXT)) send('CHUNK_DELTA', { text: p })
      send('STREAM_CHUNK', { patch_op: [{ patch_value: { content_block: [textBlock('t1', 10040, THINKING_TEXT, { is_finish: true })] } }] })
    }
    send('SSE_HEARTBEAT', {})
    const answer = answerFor(prompt as string, conv.prompts.length)
    send('STREAM_MSG_NOTIFY', { content: { content_block: [textBlock('a1', 10000)] } })
    if (state.scenario === 'slow') {
      send('CHUNK_DELTA', { text: pieces(answer)[0] })
      return // hold the connection open until the client leaves
    }
    for (const p of pieces(answer)) {
      if (state.scenario === 'patch') send('STREAM_CHUNK', { patch_op: [{ patch_value: { content: JSON.stringify({ text: p }) } }] })
      else send('CHUNK_DELTA', { text: p })
    }
    send('STREAM_CHUNK', { patch_op: [{ patch_value: { tts_content: answer } }] })
    send('SSE_REPLY_END', { end_type: 1 })
    s.ended()
    res.end()
  }

  async function samantha(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, body: SamanthaBody) {
    const sid = authorize(req, res, query)
    if (!sid) return
    const problems: string[] = []
    if (query.get('aid') !== '497858' || query.get('use_olympus_account') !== '1') problems.push('query')
    const message = body.messages?.[0]
    let prompt: unknown
    try {
      prompt = JSON.parse(message?.content ?? '').text
    } catch {
      problems.push('content')
    }
    if (message?.content_type !== 2001 || typeof prompt !== 'string' || !UUID.test(body.local_message_id ?? '')) problems.push('message')
    if (problems.length) return sendJson(res, 200, { code: 710_010_001, msg: `invalid request: ${problems.join(',')}` })
    const found = conversationFor(sid, String(body.conversation_id), body.completion_option?.need_create_conversation === true)
    if (!found) return sendJson(res, 200, { code: 710_012_010, msg: 'conversation not found' })
    const [conversationId, conv] = found
    conv.prompts.push(prompt as string)
    const s = openStream(res)
    let eventId = 0
    const send = (type: number, data: unknown) =>
      s.write(`data: ${JSON.stringify({ event_type: type, event_data: JSON.stringify(data), event_id: String(eventId++) })}\n\n`)
    const messageId = numericId()
    send(2002, { message_id: messageId, conversation_id: conversationId, section_id: conv.sectionId, message_index: 1, conversation_type: 5 })
    send(2010, { type: 'seed_intention', seed_intention: { intention: 'chat' } })
    if (state.scenario === 'rate-limit') {
      s.write(`data: ${JSON.stringify({ code: 710_022_001, message: '请求过于频繁' })}\n\n`)
      return s.ended() || res.end()
    }
    if (state.scenario === 'captcha' || state.captchaSessions.has(sid)) {
      send(2005, CAPTCHA_ERROR)
      return s.ended() || res.end()
    }
    const answer = answerFor(prompt as string, conv.prompts.length)
    const base = { message_id: messageId, conversation_id: conversationId, section_id: conv.sectionId, bot_id: '7338286299411103781' }
    for (const p of pieces(answer))
      send(2001, { ...base, message: { content_type: 2001, content: JSON.stringify({ text: p }), id: messageId }, is_delta: true, status: 4 })
    send(2001, { ...base, message: { content_type: 2001, content: '{}', id: messageId }, status: 1, is_finish: true, tts_content: answer })
    send(2001, { ...base, message: { content_type: 2002, content: JSON.stringify({ suggest: '再见', suggestions: ['再见'] }) }, is_finish: true })
    send(2003, {})
    s.ended()
    res.end()
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const url = new URL(req.url ?? '/', 'http://fake')
    const body = req.method === 'POST' ? await readJson<Record<string, unknown>>(req) : {}
    state.calls.push({ path: url.pathname, query: url.searchParams, headers: req.headers, body })
    if (req.method !== 'POST') return sendJson(res, 405, { code: 405, msg: 'method not allowed' })
    if (url.pathname === '/chat/completion') return completion(req, res, url.searchParams, body)
    if (url.pathname === '/samantha/chat/completion') return samantha(req, res, url.searchParams, body)
    if (url.pathname === '/samantha/thread/delete') {
      const sid = authorize(req, res, url.searchParams)
      if (!sid) return
      const id = String(body.conversation_id)
      if (state.conversations.get(id)?.session !== sid) return sendJson(res, 200, { code: -2001, msg: '系统错误' })
      state.conversations.delete(id)
      state.deleted.push(id)
      return sendJson(res, 200, { code: 0, msg: '' })
    }
    if (url.pathname === '/passport/account/info/v2') {
      const sid = cookiesOf(req).get('sessionid')
      if (url.searchParams.get('account_sdk_source') !== 'web') return sendJson(res, 400, { code: 1, message: 'bad source' })
      if (!sid || !state.sessions.has(sid)) return sendJson(res, 200, { code: 1001, message: 'session expired', data: {} })
      return sendJson(res, 200, { code: 0, message: 'success', data: DOUBAO_USER })
    }
    sendJson(res, 404, { code: 404, msg: 'not found' })
  }

  const server = await startServer(async (req, res) => {
    await route(req, res)
  })
  return Object.assign(state, server)
}
