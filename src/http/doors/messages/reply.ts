// What a Messages reply says besides its content, in both forms (stream and whole message).
import type { Usage } from '../../../core/tally.js'
import type { FinishReason } from '../../../kit/types.js'

/**
 * Thinking blocks carry a signature that Anthropic's API verifies when they come back. Freeway's
 * thinking comes from other models and cannot be signed; clients (the SDK, Claude Code) still
 * expect the field, so they get this marker. Freeway drops thinking blocks a client sends back,
 * so the marker never reaches an upstream (Anthropic's API would refuse it).
 */
export const SYNTHETIC_SIGNATURE = 'freeway-unsigned-thinking'

export type StopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'refusal'

/**
 * Why the answer stopped. OpenAI-shaped upstreams say `stop` both for a natural end and for a
 * stop sequence without naming it, so `stop_sequence` cannot be told apart and is not reported.
 */
export function stopReasonOf(finish: FinishReason | undefined, usedTools: boolean): StopReason {
  if (finish === 'length') return 'max_tokens'
  if (finish === 'content_filter') return 'refusal'
  // A tool_use stop without tool_use blocks would leave a client waiting for calls it never got.
  return usedTools ? 'tool_use' : 'end_turn'
}

/** Usage as Anthropic reports it; Freeway caches nothing, so the cache counters are 0. */
export function usageJson(u: Usage) {
  return { input_tokens: u.promptTokens, output_tokens: u.completionTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
}
