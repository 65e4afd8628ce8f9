// POST /v1/chat/completions: validate, route, relay, then stream SSE or return one completion.
import { randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { type Context, Hono } from 'hono'
import { collectEvents, completionJson } from '../core/collect.js'
import { type RelayStream, asUpstreamError } from '../core/relay.js'
import type { ReasoningMode, RoutePlan } from '../core/router.js'
import { ChunkWriter, sseError } from '../core/sse-writer.js'
import type { Usage } from '../core/tally.js'
import { isAbortError } from '../kit/errors.js'
import type { Services } from '../services.js'
import type { AppEnv } from './app-env.js'
import { readJsonBody } from './body.js'
import { ApiError, fromFailure, isFailure } from './errors.js'
import { type ChatBody, parseChatBody, toBaseRequest } from './validate.js'

export const newCompletionId = () => `chatcmpl-${randomBytes(12).toString('base64url')}`

/** Aborts when the client goes away before the response is complete. */
function clientSignal(c: Context): AbortSignal {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
  if (!outgoing) return c.req.raw.signal
  const controller = new AbortController()
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) controller.abort(new DOMException('client disconnected', 'AbortError'))
  })
  return controller.signal
}

function reasoningModeOf(stream: RelayStream, plan: RoutePlan): ReasoningMode {
  const flags = stream.candidate.flags
  if (flags.has('silent')) return 'hide'
  if (flags.has('fold')) return 'fold'
  return plan.reasoning
}

export function chatRoutes(s: Services) {
  const app = new Hono<AppEnv>()

  const record = (c: Context<AppEnv>, model: string, stream: boolean, t0: number, result: {
    relay?: RelayStream
    usage?: Usage
    status: number
    errorClass?: string
  }) => {
    const client = c.get('client')
    const r = result.relay
    s.recorder.record({
      requestId: c.get('requestId'),
      createdAt: Date.now(),
      clientKeyId: client.keyId,
      userId: client.userId,
      provider: r?.instance.name ?? null,
      credentialId: r?.credentialId ?? null,
      model,
      stream,
      promptTokens: result.usage?.promptTokens ?? 0,
      completionTokens: result.usage?.completionTokens ?? 0,
      estimated: result.usage?.estimated ?? false,
      latencyMs: Math.round(performance.now() - t0),
      ttftMs: r?.tally.firstEventAt === undefined ? null : Math.round(r.tally.firstEventAt - t0),
      status: result.status,
      errorClass: result.errorClass ?? null,
    })
  }

  app.post('/chat/completions', async (c) => {
    const t0 = c.get('startedAt')
    const body: ChatBody = parseChatBody(await readJsonBody(c, s.config.server.body_limit))
    const model = body.model
    if (!model) throw ApiError.badRequest('model: required', 'model', 'missing_required_parameter')
    const client = c.get('client')
    if (client.allowedModels && !client.allowedModels.includes(model))
      throw ApiError.forbidden(`this API key may not use model ${model}`)
    const plan = s.router.resolve(model)
    if (!plan) throw ApiError.notFound(`The model \`${model}\` does not exist or is not enabled`, 'model_not_found')

    const request = toBaseRequest(body, model)
    const signal = clientSignal(c)
    let relay: RelayStream
    try {
      relay = await s.relay.open({ plan, request, signal, passthroughTokens: client.passthroughTokens })
    } catch (err) {
      if (isAbortError(err) || signal.aborted) {
        record(c, model, request.stream, t0, { status: 499, errorClass: 'client_closed' })
        return c.body(null, 499 as 200)
      }
      const api = isFailure(err) ? fromFailure(err) : err
      if (api instanceof ApiError) record(c, model, request.stream, t0, { status: api.status, errorClass: api.code ?? api.type })
      throw api
    }
    c.header('Server-Timing', `relay;dur=${relay.dispatchMs.toFixed(2)}`)
    const reasoning = reasoningModeOf(relay, plan)
    const created = Math.floor(Date.now() / 1000)
    const id = newCompletionId()

    if (!request.stream) {
      try {
        const collected = await collectEvents(relay.events())
        const usage = relay.tally.usage(request.messages)
        record(c, model, false, t0, { relay, usage, status: 200 })
        return c.json(completionJson(collected, { id: collected.id ?? id, model, created, reasoning, usage }))
      } catch (err) {
        const aborted = isAbortError(err) || signal.aborted
        const api = aborted ? undefined : fromFailure(asUpstreamError(err, relay.instance.name))
        record(c, model, false, t0, { relay, status: aborted ? 499 : api!.status, errorClass: aborted ? 'client_closed' : api!.code ?? api!.type })
        if (aborted) return c.body(null, 499 as 200)
        throw api
      }
    }

    const includeUsage = body.stream_options?.include_usage === true
    const writer = new ChunkWriter({ id, model, created, reasoning, includeUsage })
    const encoder = new TextEncoder()
    const events = relay.events()
    let timer: NodeJS.Timeout | undefined
    let lastWrite = performance.now()
    let finished = false
    const finish = (status: number, errorClass?: string) => {
      if (finished) return
      finished = true
      clearInterval(timer)
      const usage = relay.tally.usage(request.messages)
      record(c, model, true, t0, { relay, usage, status, ...(errorClass ? { errorClass } : {}) })
    }
    const out = new ReadableStream<Uint8Array>({
      start(controller) {
        const ping = s.config.server.ping_interval_ms
        timer = setInterval(() => {
          if (performance.now() - lastWrite >= ping) {
            lastWrite = performance.now()
            controller.enqueue(encoder.encode(': ping\n\n'))
          }
        }, Math.min(ping, 1000))
      },
      async pull(controller) {
        try {
          for (;;) {
            const next = await events.next()
            if (next.done) {
              const usage = relay.tally.usage(request.messages)
              if (!writer.started) controller.enqueue(encoder.encode(writer.start()))
              controller.enqueue(encoder.encode(writer.end(usage)))
              finish(200)
              controller.close()
              return
            }
            const e = next.value
            if (e.type === 'conversation' && !writer.started) writer.setId(e.id)
            let text = ''
            if (!writer.started && e.type !== 'conversation' && e.type !== 'usage') text = writer.start()
            text += writer.write(e)
            if (text) {
              lastWrite = performance.now()
              controller.enqueue(encoder.encode(text))
              return
            }
          }
        } catch (err) {
          if (isAbortError(err) || signal.aborted) {
            finish(499, 'client_closed')
            controller.close()
            return
          }
          const api = fromFailure(asUpstreamError(err, relay.instance.name))
          finish(api.status, api.code ?? api.type)
          controller.enqueue(encoder.encode(sseError(api.body().error)))
          controller.close()
        }
      },
      async cancel() {
        await events.return(undefined)
        finish(499, 'client_closed')
      },
    })
    return new Response(out, {
      status: 200,
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
        'X-Request-Id': c.get('requestId'),
        'Server-Timing': `relay;dur=${relay.dispatchMs.toFixed(2)}`,
      },
    })
  })

  return app
}
