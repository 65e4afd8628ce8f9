// DeltaEvents folded into one whole answer, for doors that answer without streaming.
import type { Citation, DeltaEvent, FinishReason } from '../kit/types.js'

export interface CollectedToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

export interface Collected {
  /** The upstream conversation id, when the upstream named one. */
  id: string | undefined
  content: string
  reasoning: string
  toolCalls: CollectedToolCall[]
  finish: FinishReason | undefined
  citations: Citation[]
  /** Token log probabilities as the upstream sent them, when asked for. */
  logprobs?: unknown[] | undefined
  /** The second and later choices of an n > 1 answer, by index. */
  others?: Map<number, Collected>
}

const empty = (): Collected => ({ id: undefined, content: '', reasoning: '', toolCalls: [], finish: undefined, citations: [], logprobs: undefined })

export async function collectEvents(events: AsyncIterable<DeltaEvent>): Promise<Collected> {
  const first = empty()
  const calls = new Map<Collected, Map<number, CollectedToolCall>>()
  const target = (e: DeltaEvent): Collected => {
    const index = 'choice' in e ? e.choice : undefined
    if (!index) return first
    first.others ??= new Map()
    let other = first.others.get(index)
    if (!other) {
      other = empty()
      first.others.set(index, other)
    }
    return other
  }
  for await (const e of events) {
    if (e.type === 'conversation') first.id ??= e.id
    else if (e.type === 'citations') first.citations.push(...e.items)
    else if (e.type === 'text') {
      const out = target(e)
      out.content += e.text
      if (e.logprobs) out.logprobs = [...(out.logprobs ?? []), ...e.logprobs]
    } else if (e.type === 'reasoning') target(e).reasoning += e.text
    else if (e.type === 'finish') target(e).finish = e.reason
    else if (e.type === 'tool_call') {
      const out = target(e)
      let byIndex = calls.get(out)
      if (!byIndex) {
        byIndex = new Map()
        calls.set(out, byIndex)
      }
      let call = byIndex.get(e.index)
      if (!call) {
        call = { id: e.id ?? `call_${e.index}`, type: 'function', function: { name: '', arguments: '' } }
        byIndex.set(e.index, call)
      }
      if (e.id) call.id = e.id
      if (e.name) call.function.name += e.name
      call.function.arguments += e.args
    }
  }
  for (const [out, byIndex] of calls) out.toolCalls = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, c]) => c)
  return first
}
