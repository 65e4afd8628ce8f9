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
}

export async function collectEvents(events: AsyncIterable<DeltaEvent>): Promise<Collected> {
  const out: Collected = { id: undefined, content: '', reasoning: '', toolCalls: [], finish: undefined, citations: [] }
  const calls = new Map<number, CollectedToolCall>()
  for await (const e of events) {
    if (e.type === 'text') out.content += e.text
    else if (e.type === 'reasoning') out.reasoning += e.text
    else if (e.type === 'conversation') out.id ??= e.id
    else if (e.type === 'citations') out.citations.push(...e.items)
    else if (e.type === 'finish') out.finish = e.reason
    else if (e.type === 'tool_call') {
      let call = calls.get(e.index)
      if (!call) {
        call = { id: e.id ?? `call_${e.index}`, type: 'function', function: { name: '', arguments: '' } }
        calls.set(e.index, call)
      }
      if (e.id) call.id = e.id
      if (e.name) call.function.name += e.name
      call.function.arguments += e.args
    }
  }
  out.toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c)
  return out
}
