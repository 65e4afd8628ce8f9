// One turn of a server-side chat session: claim the session, reserve the bill, open the relay
// with the stored history; then keep the answer (or leave the history as it was) and settle.
import type { Context } from 'hono'
import { z } from 'zod'
import { type RelayStream, asUpstreamError } from '../core/relay.js'
import { SessionBusy } from '../core/sessions.js'
import type { SessionRow } from '../db/sessions.repo.js'
import { isAbortError } from '../kit/errors.js'
import type { ChatMessage } from '../kit/types.js'
import type { Services } from '../services.js'
import type { AppEnv } from './app-env.js'
import { readJsonBody } from './body.js'
import { clientSignal, factsOf } from './exchange.js'
import { ApiError, fromFailure, isFailure } from './errors.js'
import { Meter, RECORD_SESSION_CHAT, modelFor } from './metering.js'

const chatSchema = z.looseObject({
  message: z.string({ error: 'message is required' }).trim().min(1, 'message must not be empty'),
  session_id: z.string().trim().max(200).nullish(),
  user_id: z.union([z.string(), z.number()]).nullish(),
  user_uuid: z.string().nullish(),
  model: z.string().nullish(),
})

export const detail = (status: number, message: string, code: string | null = null) =>
  new ApiError(status, message, status === 409 ? 'conflict_error' : 'invalid_request_error', code)

/** A started turn: the claimed session, its bill and the relay answering it. */
export interface Turn {
  row: SessionRow
  meter: Meter
  relay: RelayStream
  signal: AbortSignal
  question: string
  model: string
}

/** The user a request acts for: the key's owner, or the one it names when the key may act for others. */
export function userOf(c: Context<AppEnv>, named: string | null | undefined): string | null {
  const client = c.get('client')
  if (!named || named === client.userId) return client.userId
  if (!client.actForOthers) throw detail(403, 'this API key may not act for another user_id', 'permission_denied')
  return named
}

export function owned(c: Context<AppEnv>, row: SessionRow | undefined, userId: string | null): row is SessionRow {
  return !!row && (row.userId === userId || c.get('client').actForOthers)
}

export async function startTurn(s: Services, c: Context<AppEnv>, stream: boolean): Promise<Turn> {
  const parsed = chatSchema.safeParse(await readJsonBody(c, s.config.server.body_limit))
  if (!parsed.success) throw detail(400, parsed.error.issues[0]!.message, 'invalid_value')
  const body = parsed.data
  const userId = userOf(c, body.user_id == null ? body.user_uuid : String(body.user_id))
  const model = modelFor(s, body.model, userId)
  if (!model) throw detail(400, 'model: required (the user has no default mode and sessions.default_model is unset)')
  const allowed = c.get('client').allowedModels
  if (allowed && !allowed.includes(model)) throw detail(403, `this API key may not use model ${model}`, 'model_not_allowed')
  const plan = s.router.resolve(model)
  if (!plan) throw detail(404, `The model \`${model}\` does not exist or is not enabled`, 'model_not_found')
  const existing = body.session_id ? s.sessions.get(body.session_id) : undefined
  if (existing && !owned(c, existing, userId)) throw detail(404, 'session not found', 'session_not_found')
  let row: SessionRow
  try {
    row = s.sessions.begin(body.session_id ?? undefined, userId)
  } catch (err) {
    if (err instanceof SessionBusy) throw detail(409, err.message, 'session_busy')
    throw err
  }
  const messages: ChatMessage[] = [...row.messages, { role: 'user', content: body.message }]
  let meter: Meter | undefined
  const signal = clientSignal(c)
  try {
    meter = Meter.open(s, factsOf(c), { userId, model, plan, messages, stream, recordType: RECORD_SESSION_CHAT })
    const request = { requestedModel: model, messages, stream, extra: {}, ...(userId ? { user: userId } : {}) }
    const relay = await s.relay.open({ plan, request, signal })
    return { row, meter, relay, signal, question: body.message, model }
  } catch (err) {
    s.sessions.release(row.sessionId)
    const api = isFailure(err) ? fromFailure(err) : err
    const aborted = isAbortError(err) || signal.aborted
    meter?.finish({ status: aborted ? 499 : api instanceof ApiError ? api.status : 500, bill: false })
    throw api
  }
}

/** Keep the turn in the session (history + upstream conversation) and settle its bill. */
export function completeTurn(s: Services, t: Turn): { row: SessionRow; charged: number } {
  const row = s.sessions.complete(t.row, {
    question: t.question,
    answer: t.relay.tally.text,
    model: t.model,
    conversationId: t.relay.tally.conversation?.id,
  })
  return { row, charged: t.meter.finish({ relay: t.relay, status: 200, bill: true }) }
}

/** A failed or abandoned turn leaves the history unchanged; only a delivered stream is billed. */
export function abandonTurn(s: Services, t: Turn, err: unknown, delivered: boolean): ApiError | undefined {
  s.sessions.release(t.row.sessionId)
  if (isAbortError(err) || t.signal.aborted) {
    t.meter.finish({ relay: t.relay, status: 499, errorClass: 'client_closed', bill: delivered })
    return undefined
  }
  const api = fromFailure(asUpstreamError(err, t.relay.instance.name))
  t.meter.finish({ relay: t.relay, status: api.status, errorClass: api.code ?? api.type, bill: false })
  return api
}
