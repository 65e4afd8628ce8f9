// The generic door for the seed's media routes (see routes.ts): envelope {"code":0,"msg":"success",
// "data":{...}}, errors {"code":400|401|402|403|408|500,"msg"} with the same HTTP status.
// `user_uuid` (required) is the user billed: the caller's own, or anyone's for a key allowed to
// act for others or for the admin secret. `chat_id` is kept on the record; `zidingyican`
// ([{name, value}]) goes to the vendor as extra parameters. The route answers when the job is
// done; a job still running after the route's timeout is a 408 (the task goes on and is billed).
import type { TaskEngine } from '../../../core/tasks/engine.js'
import type { Logger } from '../../../kit/log.js'
import { ApiError, toApiError } from '../../errors.js'
import { checkLimits } from '../../json-limits.js'
import type { Door, ErrorReply, Prepared, Reply } from '../door.js'
import { failureOf } from '../media/common.js'
import type { SeedBody, SeedMediaRoute } from './routes.js'

export interface SeedMediaOptions {
  tasks: TaskEngine
  waitMs: number
  log: Logger
}

/** The route's wait ran out (its own status: 408, as the seed answers). */
class StillRunning extends Error {}

const SEED_STATUSES = new Set([400, 401, 402, 403, 404, 408])

export function seedError(err: unknown, log: Logger): ErrorReply {
  if (err instanceof StillRunning) return { status: 408, body: { code: 408, msg: err.message } }
  const api = toApiError(err, log)
  const status = SEED_STATUSES.has(api.status) ? api.status : api.status === 504 ? 408 : api.status === 429 ? 429 : 500
  return { status, body: { code: status, msg: api.message } }
}

/** zidingyican: [{name, value}] (or one such object) → vendor parameters. */
export function zidingyican(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null || raw === '') return {}
  const list = Array.isArray(raw) ? raw : [raw]
  const out: Record<string, unknown> = {}
  for (const item of list) {
    const pair = item as { name?: unknown; value?: unknown } | null
    if (!pair || typeof pair.name !== 'string' || !pair.name) throw ApiError.badRequest('zidingyican: expected [{"name": "...", "value": ...}]')
    out[pair.name] = pair.value
  }
  return out
}

function bodyOf(raw: unknown): SeedBody {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw ApiError.badRequest('request body must be a JSON object')
  return raw as SeedBody
}

async function handle(route: SeedMediaRoute, o: SeedMediaOptions, req: Prepared, signal: AbortSignal): Promise<Reply> {
  const body = bodyOf(req.body)
  const user = typeof body.user_uuid === 'string' || typeof body.user_uuid === 'number' ? String(body.user_uuid) : ''
  if (!user) throw ApiError.badRequest('user_uuid: required (the user billed)')
  const extra = zidingyican(body.zidingyican)
  checkLimits(body, extra)
  const chatId = typeof body.chat_id === 'string' || typeof body.chat_id === 'number' ? String(body.chat_id) : undefined
  const model = typeof route.model === 'string' ? route.model : route.model(body)
  const row = await o.tasks.submit({
    requestId: req.requestId,
    clientRequestId: req.clientRequestId,
    caller: req.caller,
    model,
    kinds: [route.kind],
    request: { ...route.request(body), extra, user },
    onBehalfOf: user,
    chatId,
    signal,
  })
  const waitMs = route.timeoutMs ?? o.waitMs
  const done = row.status === 'completed' || row.status === 'failed' ? row : await o.tasks.wait(row.id, waitMs, signal)
  if (signal.aborted) return { kind: 'closed' }
  if (done.status === 'failed') throw failureOf(done)
  if (done.status !== 'completed') throw new StillRunning(`the job is still running after ${waitMs} ms (task_id ${row.id})`)
  return { kind: 'json', status: 200, body: { code: 0, msg: 'success', data: route.answer(done) } }
}

export function seedMediaDoors(routes: readonly SeedMediaRoute[], o: SeedMediaOptions): Door[] {
  return routes.map((route) => ({
    path: route.path,
    prefixed: false,
    adminActs: true,
    handle: (req, signal) => handle(route, o, req, signal),
    error: (err) => seedError(err, o.log),
  }))
}
