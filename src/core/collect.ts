// DeltaEvents folded into one chat.completion (stream: false).
import type { DeltaEvent, FinishReason } from '../kit/types.js'
import type { ReasoningMode } from './router.js'
import { toAnnotations, usageJson } from './sse-writer.js'
import type { Usage } from './tally.js'

interface ToolCallAcc {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

export interface Collected {
  id: string | undefined
  content: string
  reasoning: string
  toolCalls: ToolCallAcc[]
  finish: FinishReason | undefined
  citations: { url: string; title?: string }[]
}

export async function collectEvents(events: AsyncIterable<DeltaEvent>): Promise<Collected> {
  const out: Collected = { id: undefined, content: '', reasoning: '', toolCalls: [], finish: undefined, citations: [] }
  const calls = new Map<number, ToolCallAcc>()
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

export function completionJson(
  c: Collected,
  meta: { id: string; model: string; created: number; reasoning: ReasoningMode; usage: Usage },
) {
  const message: Record<string, unknown> = { role: 'assistant' }
  if (meta.reasoning === 'fold' && c.reasoning) message.content = `<think>\n${c.reasoning}\n</think>\n\n${c.content}`
  else message.content = c.content || (c.toolCalls.length ? null : '')
  if (meta.reasoning === 'field' && c.reasoning) message.reasoning_content = c.reasoning
  if (c.toolCalls.length) message.tool_calls = c.toolCalls
  if (c.citations.length) message.annotations = toAnnotations(c.citations)
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      { index: 0, message, finish_reason: c.finish ?? (c.toolCalls.length ? 'tool_calls' : 'stop'), logprobs: null },
    ],
    usage: usageJson(meta.usage),
  }
}
