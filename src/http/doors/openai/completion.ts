// A whole answer as OpenAI's chat.completion (stream: false).
import type { Collected } from '../../../core/collect.js'
import type { ReasoningMode } from '../../../core/router.js'
import type { Usage } from '../../../core/tally.js'
import { toAnnotations, usageJson } from './chunks.js'

function choiceJson(index: number, c: Collected, reasoning: ReasoningMode) {
  const message: Record<string, unknown> = { role: 'assistant' }
  if (reasoning === 'fold' && c.reasoning) message.content = `<think>\n${c.reasoning}\n</think>\n\n${c.content}`
  else message.content = c.content || (c.toolCalls.length ? null : '')
  if (reasoning === 'field' && c.reasoning) message.reasoning_content = c.reasoning
  if (c.toolCalls.length) message.tool_calls = c.toolCalls
  if (c.citations.length) message.annotations = toAnnotations(c.citations)
  const finish_reason = c.finish ?? (c.toolCalls.length ? 'tool_calls' : 'stop')
  return { index, message, finish_reason, logprobs: c.logprobs ? { content: c.logprobs } : null }
}

export function completionJson(
  c: Collected,
  meta: { id: string; model: string; created: number; reasoning: ReasoningMode; usage: Usage },
) {
  const others = [...(c.others ?? [])].sort(([a], [b]) => a - b).map(([index, o]) => choiceJson(index, o, meta.reasoning))
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [choiceJson(0, c, meta.reasoning), ...others],
    usage: usageJson(meta.usage),
  }
}
