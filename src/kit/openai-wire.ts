// Pure translation of OpenAI-shaped chat payloads into DeltaEvents (openai-compatible, dashscope-api, ark-api...).
import { protocolError, upstreamUnavailable } from './errors.js'
import { isObject, tryJson } from './json.js'
import type { DeltaEvent, FinishReason } from './types.js'

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
  index?: number
  logprobs?: { content?: unknown[] | null } | null
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

function toolCallEvents(calls: WireToolCall[] | undefined, fallbackIndex = false): Extract<DeltaEvent, { type: 'tool_call' }>[] {
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
  const choices = chunk.choices
  const choice = choices?.[0]
  const d = choice?.delta ?? choice?.message
  // The common chunk carries one content delta and nothing else: answer it without building lists.
  if (
    d?.content &&
    choices!.length === 1 &&
    !choice!.index &&
    !choice!.logprobs &&
    !d.reasoning_content &&
    !d.reasoning &&
    !d.tool_calls &&
    !choice!.finish_reason &&
    !chunk.usage
  )
    return [{ type: 'text', text: d.content }]
  const events: DeltaEvent[] = []
  for (const c of choices ?? []) choiceEvents(c, c.delta ?? c.message, events, false)
  if (chunk.usage) events.push(...usageEvent(chunk.usage))
  return events
}

/** One choice's events; `choice` is set only for n > 1 answers' later choices. */
function choiceEvents(c: WireChoice, d: WireChoice['delta'] | WireChoice['message'], events: DeltaEvent[], whole: boolean): void {
  const n = c.index ? { choice: c.index } : {}
  if (d) {
    const reasoning = d.reasoning_content ?? d.reasoning
    if (reasoning) events.push({ type: 'reasoning', text: reasoning, ...n })
    const logprobs = c.logprobs?.content ?? undefined
    if (d.content) events.push({ type: 'text', text: d.content, ...n, ...(logprobs ? { logprobs } : {}) })
    for (const call of toolCallEvents(d.tool_calls, whole)) events.push({ ...call, ...n })
  }
  const reason = whole ? (finishReasonOf(c.finish_reason) ?? 'stop') : finishReasonOf(c.finish_reason)
  if (reason) events.push({ type: 'finish', reason, ...n })
}

/** A whole non-streaming chat.completion. */
export function parseCompletion(body: WireChunk, provider: string): DeltaEvent[] {
  if (body.error) throw upstreamUnavailable(`${provider}: ${body.error.message ?? 'error'}`, { provider })
  const choices = body.choices ?? []
  if (!choices[0]?.message) throw protocolError(`${provider} returned a completion without a message`, { provider })
  const events: DeltaEvent[] = []
  for (const c of choices) choiceEvents(c, c.message, events, true)
  events.push(...usageEvent(body.usage))
  return events
}
