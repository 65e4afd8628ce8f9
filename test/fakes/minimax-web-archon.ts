// Fake archon agent API (MiniMax-M3), from the UNVERIFIED shapes of updates-2026 §6.3: the token
// in the `token` header and the query, sessions per agent, and an SSE message stream of
// `agent_message_chunk` deltas (type 6) closed by one whole `agent_message` (type 2); 409 while a
// session is busy. Served on the agent fake's port, which tests use as both hosts.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { MinimaxPlan } from './minimax-web.js'

export interface ArchonState {
  /** How events name their kind: by JSON key (with `type`) or by the numeric `type` alone. */
  style: 'keyed' | 'typed'
  /** Answer session creation as `{session_id}` or `{data:{session_id}}`. */
  sessionStyle: 'top' | 'data'
  sessions: Map<string, { owner: string; agent: string; model: string; busy: boolean; turns: string[] }>
  messages: { sessionId: string; body: Record<string, unknown> }[]
  /** Streams the client closed before the fake finished writing. */
  closedEarly: number
}

export const newArchonState = (): ArchonState => ({ style: 'keyed', sessionStyle: 'top', sessions: new Map(), messages: [], closedEarly: 0 })

/** What the archon handlers need from the agent fake. */
interface Host {
  archon: ArchonState
  userOf(token: string): string | undefined
  plan: (text: string) => MinimaxPlan
  rejectedTokens: number
}

const AGENTS = [
  { name: '1', agent_role: 'chat' },
  { name: 'mavis', agent_role: 'mavis' },
]
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

export function handleArchon(host: Host, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, rawBody: string) {
  const token = String(req.headers.token ?? '')
  const user = host.userOf(token)
  if (!user || query.get('token') !== token) {
    host.rejectedTokens++
    return json(res, 401, { statusInfo: { code: 1000021, msg: '异常用户访问' } })
  }
  const state = host.archon
  if (req.method === 'GET' && path === '/archon/api/v1/agent') return json(res, 200, { agents: AGENTS.slice(0, Number(query.get('limit') ?? 100)) })
  if (req.method === 'GET' && path === '/archon/api/v1/user/info') return json(res, 200, { data: { user: { id: user, nickname: 'tester' } } })
  const body = parse(rawBody)
  const create = /^\/archon\/api\/v1\/agent\/([^/]+)\/session$/.exec(path)
  if (create && req.method === 'POST') {
    const agent = decodeURIComponent(create[1]!)
    if (!AGENTS.some((a) => a.name === agent)) return json(res, 404, { statusInfo: { code: 404, msg: 'agent not found' } })
    const model = typeof body?.model === 'string' ? body.model : ''
    if (!/^minimax\/MiniMax-/.test(model)) return json(res, 400, { statusInfo: { code: 2013, msg: 'params error: model' } })
    const id = randomUUID()
    state.sessions.set(id, { owner: user, agent, model, busy: false, turns: [] })
    return json(res, 200, state.sessionStyle === 'data' ? { data: { session_id: id } } : { session_id: id })
  }
  const message = /^\/archon\/api\/v1\/session\/([^/]+)\/message$/.exec(path)
  if (message && req.method === 'POST') return stream(host, res, decodeURIComponent(message[1]!), user, body)
  return json(res, 404, { statusInfo: { code: 404, msg: 'not found' } })
}

function stream(host: Host, res: ServerResponse, sessionId: string, user: string, body: Record<string, unknown> | undefined) {
  const state = host.archon
  const session = state.sessions.get(sessionId)
  if (session?.owner !== user) return json(res, 404, { statusInfo: { code: 2004, msg: 'session not found' } })
  if (session.busy) return json(res, 409, { statusInfo: { code: 409, msg: 'session is busy' } })
  const model = body?.model as { provider_id?: unknown; model_id?: unknown; variant?: unknown } | undefined
  const valid =
    typeof body?.content === 'string' &&
    body.content !== '' &&
    model?.provider_id === 'minimax' &&
    typeof model.model_id === 'string' &&
    `minimax/${model.model_id}` === session.model &&
    typeof body.turn_id === 'string' &&
    UUID.test(body.turn_id) &&
    body.worktreeMode === false
  if (!valid) return json(res, 400, { statusInfo: { code: 2013, msg: 'params error: message' } })
  state.messages.push({ sessionId, body: body! })
  session.turns.push(body!.content as string)
  session.busy = true
  const plan = host.plan(body!.content as string)
  const pieces = chunk(plan.text, plan.step ?? 4)
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' })
  let finished = false
  res.on('close', () => {
    session.busy = false
    if (!finished) state.closedEarly++
  })
  const send = (kind: 'agent_message_chunk' | 'agent_message', type: number, payload: Record<string, unknown>) =>
    res.write(`event: ${kind}\ndata: ${JSON.stringify(state.style === 'keyed' ? { type, [kind]: payload } : { type, ...payload })}\n\n`)
  for (const piece of pieces) {
    send('agent_message_chunk', 6, { msg_content: piece })
    if (plan.neverFinish) return // hold the stream open; the client must go away
  }
  send('agent_message', 2, { reasoning_content: plan.think ?? '', msg_content: plan.text, finish_reason: 'stop' })
  finished = true
  res.end()
}

function chunk(text: string, step: number): string[] {
  const chars = Array.from(text)
  const out: string[] = []
  for (let i = 0; i < chars.length; i += step) out.push(chars.slice(i, i + step).join(''))
  return out
}

function parse(raw: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(raw) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
