// Pure translation of OpenAI-shaped upstream payloads into DeltaEvents.
import { protocolError, upstreamUnavailable } from '../../src/kit/errors.js'
import { isObject, tryJson } from '../../src/kit/json.js'
import type { DeltaEvent, FinishReason } from '../../src/kit/types.js'

interface WireToolCall {
  index?: number
  id?: string
  function?: { name?: string; arguments?: string }
}
interface WireUsage {
  prompt_tokens?: number
  completion_tokens?: number
  completion_tokens_details?: { reasoning_tokens?: number }
}
interface WireChoice {
  delta?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null; tool_calls?: WireToolCall[] }
  message?: {
    content?: string | null
    reasoning_content?: string | null
    reasoning?: string | null
    tool_calls?: WireToolCall[]
  }
  finish_reason?: string | null
}
export interface WireChunk {
  choices?: WireChoice[]
  usage?: WireUsage | null
  error?: { message?: string; type?: string; code?: unknown }
}

const finishReasons = new Set<FinishReason>(['stop', 'length', 'tool_calls', 'content_filter'])

export function finishReasonOf(raw: string | null | undefined): FinishReason | undefined {
  if (!raw) return undefined
  if (raw === 'function_call') return 'tool_calls'
  return finishReasons.has(raw as FinishReason) ? (raw as FinishReason) : 'stop'
}

function usageEvent(u: WireUsage | null | undefined): DeltaEvent[] {
  if (!u || (u.prompt_tokens === undefined && u.completion_tokens === undefined)) return []
  const reasoning = u.completion_tokens_details?.reasoning_tokens
  return [
    {
      type: 'usage',
      promptTokens: u.prompt_tokens ?? 0,
      completionTokens: u.completion_tokens ?? 0,
      ...(reasoning ? { reasoningTokens: reasoning } : {}),
    },
  ]
}

function toolCallEvents(calls: WireToolCall[] | undefined, fallbackIndex = false): DeltaEvent[] {
  return (calls ?? []).map((c, i) => ({
    type: 'tool_call' as const,
    index: c.index ?? (fallbackIndex ? i : 0),
    ...(c.id ? { id: c.id } : {}),
    ...(c.function?.name ? { name: c.function.name } : {}),
    args: c.function?.arguments ?? '',
  }))
}

/** One `data:` payload of a streaming response. */
export function parseStreamData(data: string, provider: string): DeltaEvent[] {
  const parsed = tryJson(data)
  if (!isObject(parsed)) throw protocolError(`${provider} sent a malformed stream chunk`, { provider })
  const chunk = parsed as WireChunk
  if (chunk.error) throw upstreamUnavailable(`${provider}: ${chunk.error.message ?? 'error in stream'}`, { provider })
  const choice = chunk.choices?.[0]
  const d = choice?.delta ?? choice?.message
  // The common chunk carries one content delta and nothing else: answer it without building lists.
  if (d?.content && !d.reasoning_content && !d.reasoning && !d.tool_calls && !choice?.finish_reason && !chunk.usage)
    return [{ type: 'text', text: d.content }]
  const events: DeltaEvent[] = []
  if (choice && d) {
    const reasoning = d.reasoning_content ?? d.reasoning
    if (reasoning) events.push({ type: 'reasoning', text: reasoning })
    if (d.content) events.push({ type: 'text', text: d.content })
    if (d.tool_calls) events.push(...toolCallEvents(d.tool_calls))
  }
  const reason = finishReasonOf(choice?.finish_reason)
  if (reason) events.push({ type: 'finish', reason })
  if (chunk.usage) events.push(...usageEvent(chunk.usage))
  return events
}

/** A whole non-streaming chat.completion. */
export function parseCompletion(body: WireChunk, provider: string): DeltaEvent[] {
  if (body.error) throw upstreamUnavailable(`${provider}: ${body.error.message ?? 'error'}`, { provider })
  const choice = body.choices?.[0]
  if (!choice?.message) throw protocolError(`${provider} returned a completion without a message`, { provider })
  const m = choice.message
  const events: DeltaEvent[] = []
  const reasoning = m.reasoning_content ?? m.reasoning
  if (reasoning) events.push({ type: 'reasoning', text: reasoning })
  if (m.content) events.push({ type: 'text', text: m.content })
  events.push(...toolCallEvents(m.tool_calls, true))
  events.push(...usageEvent(body.usage))
  events.push({ type: 'finish', reason: finishReasonOf(choice.finish_reason) ?? 'stop' })
  return events
}
