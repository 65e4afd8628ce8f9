// Fake legacy kimi.moonshot.cn: refresh token → access token, /api/user, chat creation, the
// `cmpl` SSE completion and chat deletion, with the legacy error envelopes.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson } from '../helpers/fake-server.js'

export type LegacyEnd = 'all_done' | 'length' | 'error' | 'none'

export interface LegacyState {
  refreshTokens: Map<string, { userId: string; name: string }>
  accessTokens: Map<string, string>
  chats: Map<string, string[]>
  deleted: string[]
  completions: { chatId: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }[]
  refreshCalls: number
  answer: string[]
  end: LegacyEnd
  /** Answer the next completion with the "already streaming" error. */
  busyNext: boolean
}

export function newLegacyState(): LegacyState {
  return {
    refreshTokens: new Map(),
    accessTokens: new Map(),
    chats: new Map(),
    deleted: [],
    completions: [],
    refreshCalls: 0,
    answer: ['你好', '，世界'],
    end: 'all_done',
    busyNext: false,
  }
}

let counter = 0
const chatId = () => `cq${(++counter).toString(36).padStart(18, '0')}`.slice(0, 20)
const invalid = (res: ServerResponse) => sendJson(res, 401, { error_type: 'auth.token.invalid', message: '您的授权已过期' })

export function handleLegacy(state: LegacyState, req: IncomingMessage, res: ServerResponse, raw: Buffer) {
  const path = (req.url ?? '').split('?')[0]!
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
  if (path === '/api/auth/token/refresh' && req.method === 'GET') {
    state.refreshCalls++
    if (!state.refreshTokens.has(bearer)) return invalid(res)
    const access = `legacy-access-${state.refreshCalls}`
    state.accessTokens.set(access, bearer)
    return sendJson(res, 200, { access_token: access, refresh_token: bearer })
  }
  const refresh = state.accessTokens.get(bearer)
  const user = refresh ? state.refreshTokens.get(refresh) : undefined
  if (!user) return invalid(res)
  if (path === '/api/user') return sendJson(res, 200, { id: user.userId, name: user.name })
  if (req.headers['x-traffic-id'] !== user.userId) return sendJson(res, 400, { error_type: 'request.invalid', message: 'traffic id' })
  if (path === '/api/chat' && req.method === 'POST') {
    const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>
    if (body.enter_method !== 'new_chat' || typeof body.kimiplus_id !== 'string')
      return sendJson(res, 400, { error_type: 'request.invalid', message: 'bad chat body' })
    const id = chatId()
    state.chats.set(id, [])
    return sendJson(res, 200, { id, name: body.name })
  }
  const completion = /^\/api\/chat\/([^/]+)\/completion\/stream$/.exec(path)
  if (completion && req.method === 'POST') return stream(state, req, res, completion[1]!, raw)
  const del = /^\/api\/chat\/([^/]+)$/.exec(path)
  if (del && req.method === 'DELETE') {
    if (!state.chats.delete(del[1]!)) return sendJson(res, 404, { error_type: 'chat.not_found', message: 'no chat' })
    state.deleted.push(del[1]!)
    return sendJson(res, 200, {})
  }
  sendJson(res, 404, { error_type: 'not_found', message: path })
}

function stream(state: LegacyState, req: IncomingMessage, res: ServerResponse, id: string, raw: Buffer) {
  const history = state.chats.get(id)
  if (!history) return sendJson(res, 404, { error_type: 'chat.not_found', message: 'no chat' })
  if (state.busyNext) {
    state.busyNext = false
    return sendJson(res, 400, { error_type: 'chat.user_stream_pushing', message: '当前对话正在生成中' })
  }
  const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>
  state.completions.push({ chatId: id, body, headers: req.headers })
  const messages = body.messages as { content?: string }[]
  history.push(messages[0]?.content ?? '')
  const events: Record<string, unknown>[] = [{ event: 'req', id: `seg-${history.length}` }, { event: 'resp', id: 'r1' }]
  if (body.kimiplus_id === 'crm40ee9e5jvhsn7ptcg') events.push({ event: 'k1', text: '先想一想' })
  if (body.use_search)
    events.push({ event: 'search_plus', msg: { type: 'get_res', title: '来源', url: 'https://src.example/1' } })
  for (const text of state.answer) events.push({ event: 'cmpl', text })
  if (state.end !== 'none') events.push({ event: state.end })
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' })
  for (const ev of events) res.write(`data: ${JSON.stringify(ev)}\n\n`)
  res.end()
}
