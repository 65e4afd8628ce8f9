// Pure translation of GenerateContentResponse payloads (whole, or one per SSE event) into
// DeltaEvents. Parts arrive as increments; thought parts are reasoning; a function call arrives
// whole in one part. Usage totals ride on the chunks and the last one wins.
import { randomUUID } from 'node:crypto'
import { protocolError, upstreamUnavailable } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { SseDecoder } from '../../src/kit/sse.js'
import type { DeltaEvent, FinishReason } from '../../src/kit/types.js'
import { geminiError } from './errors.js'

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'LANGUAGE'])

export function finishReasonOf(reason: unknown): FinishReason | undefined {
  if (typeof reason !== 'string' || !reason || reason === 'FINISH_REASON_UNSPECIFIED') return undefined
  if (reason === 'MAX_TOKENS') return 'length'
  return FILTERED.has(reason) ? 'content_filter' : 'stop'
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0)
export const newToolCallId = () => `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`

/** Reads one answer chunk by chunk; `end()` closes it with usage and the finish reason. */
export class GeminiParser {
  private toolCalls = 0
  private finish: FinishReason | undefined
  private usage: Extract<DeltaEvent, { type: 'usage' }> | undefined
  private chunks = 0

  constructor(
    private readonly provider: string,
    private readonly newId: () => string = newToolCallId,
  ) {}

  push(payload: unknown): DeltaEvent[] {
    const chunk = asObject(payload)
    if (!chunk) throw protocolError(`${this.provider} sent a malformed answer`, { provider: this.provider })
    if (chunk.error) throw geminiError(this.provider, undefined, chunk.error)
    this.chunks++
    this.takeUsage(asObject(chunk.usageMetadata))
    const candidate = asObject((chunk.candidates as unknown[] | undefined)?.[0])
    if (!candidate) {
      // No candidate at all: the prompt itself was blocked.
      if (asObject(chunk.promptFeedback)?.blockReason) this.finish = 'content_filter'
      return []
    }
    const out: DeltaEvent[] = []
    for (const p of (asObject(candidate.content)?.parts as unknown[] | undefined) ?? []) {
      const part = asObject(p)
      if (!part) continue
      const call = asObject(part.functionCall)
      if (call) {
        const id = typeof call.id === 'string' && call.id ? call.id : this.newId()
        out.push({ type: 'tool_call', index: this.toolCalls++, id, name: String(call.name ?? ''), args: JSON.stringify(call.args ?? {}) })
      } else if (typeof part.text === 'string' && part.text) {
        out.push(part.thought === true ? { type: 'reasoning', text: part.text } : { type: 'text', text: part.text })
      }
    }
    this.finish = finishReasonOf(candidate.finishReason) ?? this.finish
    return out
  }

  private takeUsage(u: Record<string, unknown> | undefined) {
    if (!u) return
    const thoughts = num(u.thoughtsTokenCount)
    // OpenAI's completion_tokens include reasoning; Gemini counts thoughts apart from candidates.
    this.usage = {
      type: 'usage',
      promptTokens: num(u.promptTokenCount) + num(u.toolUsePromptTokenCount),
      completionTokens: num(u.candidatesTokenCount) + thoughts,
      ...(thoughts ? { reasoningTokens: thoughts } : {}),
    }
  }

  end(): DeltaEvent[] {
    if (!this.chunks) throw protocolError(`${this.provider} answered nothing`, { provider: this.provider })
    if (!this.finish) throw upstreamUnavailable(`${this.provider} broke off its answer (no finishReason)`, { provider: this.provider })
    const reason: FinishReason = this.toolCalls && this.finish === 'stop' ? 'tool_calls' : this.finish
    return [...(this.usage ? [this.usage] : []), { type: 'finish', reason }]
  }
}

/** A non-streamed answer (one GenerateContentResponse). */
export function parseResponse(payload: unknown, provider: string, newId?: () => string): DeltaEvent[] {
  const parser = new GeminiParser(provider, newId)
  return [...parser.push(payload), ...parser.end()]
}

/** An `alt=sse` stream: one GenerateContentResponse per data event, no [DONE]. */
export async function* readStream(body: AsyncIterable<Uint8Array | string>, provider: string, newId?: () => string): AsyncGenerator<DeltaEvent> {
  const sse = new SseDecoder()
  const parser = new GeminiParser(provider, newId)
  const take = (data: string) => {
    const payload = tryJson(data)
    if (payload === undefined) throw protocolError(`${provider} sent a malformed stream event`, { provider })
    return parser.push(payload)
  }
  for await (const chunk of body) for (const ev of sse.push(chunk)) if (ev.data) yield* take(ev.data)
  for (const ev of sse.end()) if (ev.data) yield* take(ev.data)
  yield* parser.end()
}
