// Tool call ids between the two wires. Anthropic's tool_use ids look like `toolu_…` and match
// [A-Za-z0-9_-]+; OpenAI-shaped upstreams name calls as they like (`call_…`, `functions.bash:0`).
// Out: the upstream id behind a `toolu_` prefix, other characters as `_`. In: the prefix comes
// off again, so an upstream that expects its own short ids (some want exactly 9 characters) gets
// them back; ids the client made up stay consistent because both the assistant's tool_use and
// the user's tool_result pass through the same function.
import { randomId } from '../../../core/ids.js'

const PREFIX = 'toolu_'

/** The tool_use id a client sees for an upstream call id (a fresh one when the upstream gave none). */
export function toolUseIdOf(callId: string | undefined): string {
  if (!callId) return randomId(PREFIX)
  const safe = callId.replace(/[^A-Za-z0-9_-]/g, '_')
  return safe.startsWith(PREFIX) ? safe : PREFIX + safe
}

/** The call id an upstream gets for a client's tool_use id (or tool_result tool_use_id). */
export function callIdOf(toolUseId: string): string {
  return toolUseId.startsWith(PREFIX) && toolUseId.length > PREFIX.length ? toolUseId.slice(PREFIX.length) : toolUseId
}
