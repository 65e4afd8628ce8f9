// A hand-written check of the chat request body, run before the zod schema in validate.ts.
// On one sequential connection zod's parse was the largest piece of our own code between the
// request and the upstream call (~10 % of the added latency: it builds a context, issue list and
// copy per field). This check only ever says "valid as it is": a body it accepts is one the schema
// accepts unchanged (test/http/openai-body-check.test.ts holds it to that on generated bodies); for
// anything else the schema runs and produces its usual errors.
import { isObject } from '../../../kit/json.js'
import type { ChatBody } from './validate.js'

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function'])
const EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high'])

const absent = (v: unknown) => v === undefined || v === null
const optString = (v: unknown) => v === undefined || typeof v === 'string'
const nullishString = (v: unknown) => absent(v) || typeof v === 'string'
const nullishBoolean = (v: unknown) => absent(v) || typeof v === 'boolean'
const nullishIn = (v: unknown, min: number, max: number) =>
  absent(v) || (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max)
const nullishPositiveInt = (v: unknown) => absent(v) || (Number.isSafeInteger(v) && (v as number) > 0)
const hasType = (v: unknown) => isObject(v) && typeof v.type === 'string'
const nullishTyped = (v: unknown) => absent(v) || hasType(v)

export const hasUrl = (v: unknown) => isObject(v) && typeof v.url === 'string' && v.url.length > 0

/** A part the upstream can use: text parts carry text, image parts a URL. */
function isPart(v: unknown): boolean {
  if (!isObject(v) || typeof v.type !== 'string') return false
  if (v.type === 'text') return typeof v.text === 'string'
  if (v.type === 'image_url') return hasUrl(v.image_url)
  return true
}

function isContent(v: unknown): boolean {
  return nullishString(v) || (Array.isArray(v) && v.every(isPart))
}

function isToolCall(v: unknown): boolean {
  if (!isObject(v) || typeof v.id !== 'string') return false
  const fn = v.function
  return isObject(fn) && typeof fn.name === 'string' && typeof fn.arguments === 'string'
}

function isMessage(v: unknown): boolean {
  if (!isObject(v)) return false
  const calls = v.tool_calls
  return (
    typeof v.role === 'string' &&
    ROLES.has(v.role) &&
    isContent(v.content) &&
    optString(v.name) &&
    optString(v.tool_call_id) &&
    (calls === undefined || (Array.isArray(calls) && calls.every(isToolCall)))
  )
}

function isStop(v: unknown): boolean {
  return nullishString(v) || (Array.isArray(v) && v.length <= 4 && v.every((s) => typeof s === 'string'))
}

/** True when the body is a valid chat request as it stands (validate.ts's schema would agree). */
export function isWellFormedChat(raw: unknown): raw is ChatBody {
  if (!isObject(raw)) return false
  const { model, messages, stream_options: options, n, tools } = raw
  return (
    (model === undefined || (typeof model === 'string' && model.length > 0)) &&
    Array.isArray(messages) &&
    messages.length > 0 &&
    messages.every(isMessage) &&
    nullishBoolean(raw.stream) &&
    (absent(options) || (isObject(options) && (options.include_usage === undefined || typeof options.include_usage === 'boolean'))) &&
    nullishIn(raw.temperature, 0, 2) &&
    nullishIn(raw.top_p, 0, 1) &&
    nullishPositiveInt(raw.max_tokens) &&
    nullishPositiveInt(raw.max_completion_tokens) &&
    nullishIn(n, 1, 128) &&
    (absent(n) || Number.isSafeInteger(n)) &&
    isStop(raw.stop) &&
    (absent(tools) || (Array.isArray(tools) && tools.every(hasType))) &&
    nullishTyped(raw.response_format) &&
    (absent(raw.reasoning_effort) || EFFORTS.has(raw.reasoning_effort as string)) &&
    nullishString(raw.user) &&
    nullishString(raw.conversation_id)
  )
}
