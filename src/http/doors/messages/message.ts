// A whole answer as Anthropic's message object (stream: false).
import type { Collected } from '../../../core/collect.js'
import type { ReasoningMode } from '../../../core/router.js'
import type { Usage } from '../../../core/tally.js'
import { asObject, tryJson } from '../../../kit/json.js'
import { SYNTHETIC_SIGNATURE, stopReasonOf, usageJson } from './reply.js'
import { toolUseIdOf } from './tool-ids.js'

export function messageJson(c: Collected, meta: { id: string; model: string; reasoning: ReasoningMode; usage: Usage }) {
  const content: Record<string, unknown>[] = []
  if (c.reasoning && meta.reasoning !== 'hide') content.push({ type: 'thinking', thinking: c.reasoning, signature: SYNTHETIC_SIGNATURE })
  if (c.content) content.push({ type: 'text', text: c.content })
  for (const call of c.toolCalls) {
    // Arguments cut short (max_tokens) are no object; the call still shows, with what it holds.
    const input = asObject(tryJson(call.function.arguments)) ?? {}
    content.push({ type: 'tool_use', id: toolUseIdOf(call.id), name: call.function.name, input })
  }
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    stop_reason: stopReasonOf(c.finish, c.toolCalls.length > 0),
    stop_sequence: null,
    usage: usageJson(meta.usage),
  }
}
