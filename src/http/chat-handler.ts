// POST /v1/chat/completions, independent of the server layer: validate, route, relay, then answer
// with one completion or a stream. The hono route and the Node fast lane both render its reply.
import { collectEvents, completionJson } from '../core/collect.js'
import { randomId } from '../core/ids.js'
import { type RelayStream, asUpstreamError } from '../core/relay.js'
import type { ReasoningMode, RoutePlan } from '../core/router.js'
import { ChunkWriter, sseError } from '../core/sse-writer.js'
import { isAbortError } from '../kit/errors.js'
import type { DeltaEvent } from '../kit/types.js'
import type { Services } from '../services.js'
import { ApiError, fromFailure, isFailure } from './errors.js'
import type { RequestFacts } from './exchange.js'
import { Meter, RECORD_API_CHAT, modelFor } from './metering.js'
import { SSE_HEADERS, type SseOptions } from './sse-response.js'
import { type ChatBody, parseChatBody, toBaseRequest } from './validate.js'

const newCompletionId = () => randomId('chatcmpl-')

export type ChatReply =
  | { kind: 'json'; status: number; headers: Record<string, string>; body: unknown }
  /** The client left before anything was sent (logged as 499; nobody reads the answer). */
  | { kind: 'closed' }
  | { kind: 'sse'; options: SseOptions<DeltaEvent> }

function reasoningModeOf(stream: RelayStream, plan: RoutePlan): ReasoningMode {
  const flags = stream.candidate.flags
  if (flags.has('silent')) return 'hide'
  if (flags.has('fold')) return 'fold'
  return plan.reasoning
}

/** Throws ApiError for anything the client should see as an error response. */
export async function handleChat(s: Services, facts: RequestFacts, raw: unknown, signal: AbortSignal): Promise<ChatReply> {
  const body: ChatBody = parseChatBody(raw)
  const { client } = facts
  if (!body.model) throw ApiError.badRequest('model: required', 'model', 'missing_required_parameter')
  // `auto` is the key owner's default model (users.mode).
  const model = modelFor(s, body.model, client.userId)
  if (!model) throw ApiError.badRequest('model auto: this key has no user with a default model (mode)', 'model', 'invalid_value')
  if (client.allowedModels && !client.allowedModels.includes(model)) throw ApiError.forbidden(`this API key may not use model ${model}`)
  const plan = s.router.resolve(model)
  if (!plan) throw ApiError.notFound(`The model \`${model}\` does not exist or is not enabled`, 'model_not_found')

  const request = toBaseRequest(body, model)
  const meter = Meter.open(s, facts, {
    userId: client.userId,
    model,
    plan,
    messages: request.messages,
    maxTokens: request.max_tokens,
    stream: request.stream,
    recordType: RECORD_API_CHAT,
  })
  let relay: RelayStream
  try {
    relay = await s.relay.open({ plan, request, signal, passthroughTokens: client.passthroughTokens })
  } catch (err) {
    if (isAbortError(err) || signal.aborted) {
      meter.finish({ status: 499, errorClass: 'client_closed', bill: false })
      return { kind: 'closed' }
    }
    const api = isFailure(err) ? fromFailure(err) : err
    meter.finish(api instanceof ApiError ? { status: api.status, errorClass: api.code ?? api.type, bill: false } : { status: 500, bill: false })
    throw api
  }
  const timing = `relay;dur=${relay.dispatchMs.toFixed(2)}`
  const reasoning = reasoningModeOf(relay, plan)
  const created = Math.floor(Date.now() / 1000)
  const id = newCompletionId()

  if (!request.stream) {
    try {
      const collected = await collectEvents(relay.events())
      const usage = relay.tally.usage(request.messages)
      meter.finish({ relay, status: 200, bill: true })
      const json = completionJson(collected, { id: collected.id ?? id, model, created, reasoning, usage })
      return { kind: 'json', status: 200, headers: { 'Server-Timing': timing }, body: json }
    } catch (err) {
      const aborted = isAbortError(err) || signal.aborted
      const api = aborted ? undefined : fromFailure(asUpstreamError(err, relay.instance.name))
      // Nothing reached the client of a non-streamed answer, so neither outcome is billed.
      meter.finish({ relay, status: aborted ? 499 : api!.status, errorClass: aborted ? 'client_closed' : api!.code ?? api!.type, bill: false })
      if (aborted) return { kind: 'closed' }
      throw api
    }
  }

  const writer = new ChunkWriter({ id, model, created, reasoning, includeUsage: body.stream_options?.include_usage === true })
  let finished = false
  // An abandoned stream is billed for what it delivered; an upstream failure costs nothing.
  const finish = (status: number, errorClass?: string) => {
    if (finished) return
    finished = true
    meter.finish({ relay, status, bill: status === 200 || status === 499, ...(errorClass ? { errorClass } : {}) })
  }
  return {
    kind: 'sse',
    options: {
      headers: { ...SSE_HEADERS, 'Server-Timing': timing },
      pingMs: s.config.server.ping_interval_ms,
      events: relay.events(),
      handlers: {
        render(e) {
          if (e.type === 'conversation' && !writer.started) writer.setId(e.id)
          const head = !writer.started && e.type !== 'conversation' && e.type !== 'usage' ? writer.start() : ''
          return head + writer.write(e)
        },
        end() {
          const text = (writer.started ? '' : writer.start()) + writer.end(relay.tally.usage(request.messages))
          finish(200)
          return text
        },
        fail(err) {
          const api = fromFailure(asUpstreamError(err, relay.instance.name))
          finish(api.status, api.code ?? api.type)
          return sseError(api.body().error)
        },
        abandoned: () => finish(499, 'client_closed'),
      },
    },
  }
}
