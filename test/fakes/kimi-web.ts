// Fake www.kimi.com: the Connect chat (envelope, JWT and threading checks, 2026 payload fields,
// UUID chat ids, every end style) plus the unary procedures. The accounts and the token renewal
// (auth.kimi.com) live in kimi-web-auth.ts, the legacy REST + SSE side in kimi-web-legacy.ts; all
// are served by the same server so that base_url and auth_url can both point at it.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { CONNECT_FLAG_END_STREAM, encodeConnectFrame, readConnectFrames } from '../../src/kit/connect.js'
import { type RunningServer, readBody, sendJson, startServer } from '../helpers/fake-server.js'
import { KimiAuth } from './kimi-web-auth.js'
import { type LegacyState, handleLegacy, newLegacyState } from './kimi-web-legacy.js'

/** Values of `options.reasoning_effort` the fake accepts (only LOW was captured; the rest follow the enum). */
export const REASONING_EFFORTS = ['REASONING_EFFORT_LOW', 'REASONING_EFFORT_MEDIUM', 'REASONING_EFFORT_HIGH']

export { makeKimiJwt } from './kimi-web-auth.js'

export type EndStyle = 'all' | 'status' | 'done' | 'trailer'
export type ChatFailure = 'rate_limit' | 'error_frame' | 'html' | 'json_envelope' | 'trailer_auth'

export interface ConnectRecord {
  path: string
  headers: IncomingMessage['headers']
  payload: Record<string, unknown> | undefined
}

export interface FakeKimi extends RunningServer {
  /** Answer text pieces: the first is sent with op `set`, the rest with `append`. */
  answer: string[]
  endStyle: EndStyle
  failNext: ChatFailure | undefined
  /** Hold the stream open after the first text until the client goes away. */
  stall: boolean
  /** Accounts whose tokens are all refused (same set as auth.revokedSubs). */
  revokedSubs: Set<string>
  /** Every authenticated apiv2 call's Bearer, in order (Chat and unary). */
  bearers: string[]
  requests: ConnectRecord[]
  deleted: string[]
  /** Streams the client closed before the fake finished writing. */
  closedEarly: number
  chats: Map<string, { lastAssistantId: string }>
  legacy: LegacyState
  auth: KimiAuth
}

const SEARCH_SOURCES = [
  { searchResult: { refIndex: 'web_search:1#0', base: { title: '北京天气', url: 'https://weather.example/bj', siteName: 'w' } } },
  { searchResult: { refIndex: 'web_search:1#1', base: { title: 'Forecast', url: 'https://forecast.example/' } } },
]
const CITE = '\ue3a0cite\ue3a3web_search:1#0\ue3a3web_search:1#1\ue3a8'

export async function startFakeKimi(): Promise<FakeKimi> {
  let seq = 0
  const auth = new KimiAuth()
  const fake = {
    answer: ['答案', '是 42'],
    endStyle: 'all' as EndStyle,
    failNext: undefined as ChatFailure | undefined,
    stall: false,
    revokedSubs: auth.revokedSubs,
    bearers: [] as string[],
    requests: [] as ConnectRecord[],
    deleted: [] as string[],
    closedEarly: 0,
    chats: new Map<string, { lastAssistantId: string }>(),
    legacy: newLegacyState(),
    auth,
  }
  const nextId = (prefix: string) => `${prefix}${(++seq).toString(36).padStart(6, '0')}`

  /** A live access token as Bearer; a kimi-auth cookie, when sent, must be the same token. */
  const authenticate = (req: IncomingMessage): Record<string, unknown> | undefined => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const cookie = /(?:^|;\s*)kimi-auth=([^;]+)/.exec(req.headers.cookie ?? '')?.[1]
    const claims = auth.verifyAccess(bearer)
    if (!claims || (cookie !== undefined && cookie !== bearer)) return undefined
    fake.bearers.push(bearer)
    return claims
  }

  const connectError = (res: ServerResponse, code: string, message: string) => {
    res.writeHead(200, { 'content-type': 'application/connect+json' })
    res.end(encodeConnectFrame({ error: { code, message } }, CONNECT_FLAG_END_STREAM))
  }

  async function chat(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    const record: ConnectRecord = { path: req.url ?? '', headers: req.headers, payload: undefined }
    fake.requests.push(record)
    if (req.headers['content-type'] !== 'application/connect+json' || req.headers['connect-protocol-version'] !== '1')
      return sendJson(res, 415, { code: 'invalid_argument', message: 'unsupported content type' })
    const frames = await readFrames(raw)
    if (frames?.length !== 1 || frames[0]!.flags !== 0)
      return connectError(res, 'invalid_argument', 'protocol error: request is not a single Connect envelope')
    const payload = JSON.parse(Buffer.from(frames[0]!.payload).toString('utf8')) as Record<string, unknown>
    record.payload = payload
    if (!authenticate(req)) {
      if (fake.failNext === 'trailer_auth') {
        fake.failNext = undefined
        return connectError(res, 'unauthenticated', 'token is expired')
      }
      return sendJson(res, 401, { code: 'unauthenticated', message: 'token is expired or invalid' })
    }
    const failure = fake.failNext
    fake.failNext = undefined
    if (failure === 'html') {
      res.writeHead(403, { 'content-type': 'text/html' })
      res.end('<html><body>Access denied</body></html>')
      return
    }
    if (failure === 'json_envelope') return sendJson(res, 200, { data: null, message: 'ok' })
    if (failure === 'rate_limit') return connectError(res, 'resource_exhausted', 'too many requests, slow down')

    const message = payload.message as Record<string, unknown> | undefined
    const prompt = ((message?.blocks as { text?: { content?: unknown } }[] | undefined)?.[0]?.text?.content ?? undefined) as unknown
    if (typeof prompt !== 'string' || !prompt) return connectError(res, 'invalid_argument', 'message.blocks[0].text.content required')
    const chatId = payload.chat_id
    const parentId = message?.parent_id
    if (chatId === '' || parentId === '') return connectError(res, 'invalid_argument', 'empty chat_id or parent_id')
    if ((chatId === undefined) !== (parentId === undefined))
      return connectError(res, 'invalid_argument', 'chat_id and message.parent_id go together')
    const effort = (payload.options as { reasoning_effort?: unknown } | undefined)?.reasoning_effort
    if (effort !== undefined && !REASONING_EFFORTS.includes(String(effort)))
      return connectError(res, 'invalid_argument', `unknown reasoning_effort ${String(effort)}`)
    let id: string
    if (typeof chatId === 'string') {
      const known = fake.chats.get(chatId)
      if (!known) return connectError(res, 'not_found', 'chat not found')
      if (known.lastAssistantId !== parentId) return connectError(res, 'invalid_argument', 'parent message not found')
      id = chatId
    } else id = randomUUID() // chat ids are UUID-shaped since 2026 (updates-2026 §1.5)
    const userId = nextId('msg')
    const assistantId = nextId('msg')
    fake.chats.set(id, { lastAssistantId: assistantId })

    const thinking = (payload.options as { thinking?: boolean } | undefined)?.thinking === true
    const search = ((payload.tools as { type?: string }[] | undefined) ?? []).some((t) => t.type === 'TOOL_TYPE_SEARCH')
    const events: Record<string, unknown>[] = [
      { op: 'set', eventOffset: 1, chat: { id, name: '未命名会话' } },
      { eventOffset: 2, heartbeat: {} },
      { op: 'set', mask: 'message', message: { id: userId, role: 'user', status: 'MESSAGE_STATUS_COMPLETED', blocks: [] } },
      { op: 'set', mask: 'message', message: { id: assistantId, parentId: userId, role: 'assistant', status: 'MESSAGE_STATUS_GENERATING', scenario: 'SCENARIO_K2' } },
      { op: 'set', mask: 'chat.name', chat: { name: prompt.slice(0, 10) } },
    ]
    if (thinking) {
      events.push({ op: 'set', mask: 'block.think', block: { id: '1', think: { content: '用户问' } } })
      events.push({ op: 'append', mask: 'block.think.content', block: { id: '1', think: { content: '了一个问题' } } })
    }
    if (search) {
      events.push({ op: 'set', mask: 'block.tool', block: { id: '2', tool: { name: 'web_search' } } })
      events.push({ op: 'append', mask: 'block.tool.contents', block: { id: '2', tool: { contents: SEARCH_SOURCES } } })
      events.push({ op: 'set', mask: 'message.refs', message: { id: assistantId, refs: { searchChunks: SEARCH_SOURCES } } })
    }
    events.push({ op: 'set', mask: 'block.text', block: { id: '0_1', text: {} } })
    fake.answer.forEach((piece, i) => {
      const content = search && i === fake.answer.length - 1 ? `${piece}${CITE}` : piece
      events.push({ op: i === 0 ? 'set' : 'append', mask: i === 0 ? 'block.text' : 'block.text.content', block: { id: '0_1', text: { content } } })
    })
    if (failure === 'error_frame') events.push({ error: { code: 'internal', message: 'model overloaded' } })
    const style = fake.endStyle
    if (style === 'all' || style === 'status')
      events.push({ op: 'set', mask: 'message.status', message: { id: assistantId, status: 'MESSAGE_STATUS_COMPLETED' } })
    if (style === 'all' || style === 'done') events.push({ eventOffset: events.length + 1, done: {} })

    res.writeHead(200, { 'content-type': 'application/connect+json' })
    let finished = false
    res.on('close', () => {
      if (!finished) fake.closedEarly++
    })
    for (const ev of events) {
      res.write(encodeConnectFrame(ev))
      const hasText = Boolean((ev.block as { text?: { content?: string } } | undefined)?.text?.content)
      if (fake.stall && hasText) return // never finish; the client must abort
    }
    if (style === 'all' || style === 'trailer') res.write(encodeConnectFrame({}, CONNECT_FLAG_END_STREAM))
    finished = true
    res.end()
  }

  const server = await startServer(async (req, res): Promise<void> => {
    const path = (req.url ?? '').split('?')[0]!
    const raw = await readBody(req)
    if (path === '/api/account.gateway.v1.AuthService/RefreshToken') return auth.connect(req, res, raw)
    if (path === '/api/auth/token/refresh') {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
      if (auth.restRefresh === 'gone' || auth.liveRefresh.has(bearer) || auth.usedRefresh.has(bearer)) return auth.rest(req, res, bearer)
    }
    if (path === '/apiv2/kimi.gateway.chat.v1.ChatService/Chat') return chat(req, res, raw)
    if (path.startsWith('/apiv2/')) {
      if (req.headers['content-type'] !== 'application/json') return sendJson(res, 415, { code: 'invalid_argument', message: 'json expected' })
      const claims = authenticate(req)
      if (!claims) return sendJson(res, 401, { code: 'unauthenticated', message: 'token is expired or invalid' })
      if (path === '/apiv2/kimi.gateway.config.v1.ConfigService/GetAvailableModels')
        return sendJson(res, 200, { models: [{ scenario: 'SCENARIO_K2D5', displayName: 'K2.6', thinking: true }] })
      if (path === '/apiv2/kimi.chat.v1.ChatService/DeleteChat') {
        const body = JSON.parse(raw.toString('utf8') || '{}') as { chat_id?: string }
        if (!body.chat_id || !fake.chats.delete(body.chat_id)) return sendJson(res, 404, { code: 'not_found', message: 'no such chat' })
        fake.deleted.push(body.chat_id)
        return sendJson(res, 200, {})
      }
      return sendJson(res, 404, { code: 'unimplemented', message: path })
    }
    return handleLegacy(fake.legacy, req, res, raw)
  })
  return Object.assign(fake, server)
}

async function readFrames(raw: Buffer) {
  try {
    const frames = []
    for await (const f of readConnectFrames((async function* () {
      yield new Uint8Array(raw)
    })()))
      frames.push(f)
    return frames
  } catch {
    return undefined
  }
}
