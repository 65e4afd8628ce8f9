// The one calling convention web chats are taught when Freeway emulates tool calls:
//
//   <tool_call>
//   {"name": "get_weather", "arguments": {"city": "Paris"}}
//   </tool_call>
//
// One block per call; parallel calls are consecutive blocks. It is the Hermes tool format (Qwen's
// chat template uses it too), the most common tool syntax in open models' training data, so web
// models keep to it instead of drifting into prose; XML-like tags also survive Markdown rendering
// and are unlikely in ordinary answers. Tolerated when reading an answer: whitespace around the JSON and around
// the block, a Markdown fence (```json) around the block or inside it, and `arguments` given as a
// JSON string instead of an object.
import { tryJson } from '../../kit/json.js'

export const OPEN_TAG = '<tool_call>'
export const CLOSE_TAG = '</tool_call>'

export interface EmulatedCall {
  name: string
  /** The arguments object as a JSON string, as a `tool_call` event carries them. */
  arguments: string
}

/** A call written exactly as the model is asked to write it (used for history turns). */
export function renderCall(name: string, args: string): string {
  const parsed = tryJson(args)
  const value = parsed === undefined ? args : parsed
  return `${OPEN_TAG}\n${JSON.stringify({ name, arguments: value })}\n${CLOSE_TAG}`
}

/**
 * The text between the tags → the call it names, or undefined when it is not one (bad JSON, no
 * name, a tool that was not offered, arguments that are not an object).
 */
export function parseCallBody(body: string, known: ReadonlySet<string>): EmulatedCall | undefined {
  let json = body.trim()
  if (json.length >= 6 && json.startsWith('```') && json.endsWith('```')) json = json.slice(3, -3).replace(/^[\w-]*/, '').trim()
  const value = tryJson(json)
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined
  const { name, arguments: raw } = value as { name?: unknown; arguments?: unknown }
  if (typeof name !== 'string' || !known.has(name)) return undefined
  const args = typeof raw === 'string' ? tryJson(raw) : (raw ?? {})
  if (!args || typeof args !== 'object' || Array.isArray(args)) return undefined
  return { name, arguments: JSON.stringify(args) }
}
