// One OpenAI-shaped chat call (POST <url>, JSON or SSE back), shared by every upstream that speaks
// the OpenAI chat protocol: openai-compatible instances, DashScope's compatible mode, Ark.
import type { UpstreamError } from './errors.js'
import { type WireChunk, parseCompletion, parseStreamData } from './openai-wire.js'
import { SseDecoder } from './sse.js'
import type { CallContext, ChatRequest, DeltaEvent } from './types.js'

export function buildOpenAIChatBody(req: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { ...req.extra, model: req.model, messages: req.messages, stream: req.stream }
  const optional = ['n', 'temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'user'] as const
  for (const key of optional) if (req[key] !== undefined) body[key] = req[key]
  if (req.max_tokens !== undefined) body[req.maxTokensParam ?? 'max_tokens'] = req.max_tokens
  if (req.reasoning?.effort) body.reasoning_effort = req.reasoning.effort
  // Always ask for usage so records are honest; the core strips it unless the client asked.
  if (req.stream) body.stream_options = { ...(req.extra.stream_options as object), include_usage: true }
  return body
}

export interface OpenAIChatCall {
  url: string
  headers: Record<string, string>
  /** The body to send; buildOpenAIChatBody(req) when absent. */
  body?: Record<string, unknown>
  provider: string
  /** The upstream's own error codes read first (a 400 that means "out of credit"); undefined = by status. */
  classify?: (status: number, body: string) => UpstreamError | undefined
}

/** Send one chat request and translate the answer (a completion or an SSE stream) into DeltaEvents. */
export async function* openAIChat(call: OpenAIChatCall, req: ChatRequest, ctx: CallContext<unknown>): AsyncGenerator<DeltaEvent> {
  const headers = { accept: 'application/json, text/event-stream', ...call.headers }
  const res = await ctx.http.request(call.url, { json: call.body ?? buildOpenAIChatBody(req), headers, signal: ctx.signal })
  if (res.status < 200 || res.status >= 300) {
    const text = await res.text().catch(() => '')
    throw call.classify?.(res.status, text) ?? ctx.http.statusError(res.status, text, res.headers['retry-after'])
  }
  if (!req.stream) {
    yield* parseCompletion(await res.json<WireChunk>(), call.provider)
    return
  }
  // The relay's hottest loop: decode in place rather than through another async generator, and
  // yield event by event (yield* over an array would wrap it in an async-from-sync iterator).
  const sse = new SseDecoder()
  for await (const chunk of res.body) {
    for (const ev of sse.push(chunk)) {
      if (ev.data === '[DONE]') continue // read on to the natural end so the connection is reused
      for (const event of parseStreamData(ev.data, call.provider)) yield event
    }
  }
  for (const ev of sse.end()) if (ev.data !== '[DONE]') for (const event of parseStreamData(ev.data, call.provider)) yield event
}
