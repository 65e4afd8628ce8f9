// The Responses request body. Known fields are checked; everything else a client may send
// (Codex's client_metadata, include, truncation, service_tier...) is accepted and not sent on:
// these are Responses parameters, which a chat upstream would refuse.
import { z } from 'zod'
import { ApiError } from '../../errors.js'
import { checkLimits } from '../../json-limits.js'

const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1).optional(),
  input: z.union([z.string(), z.array(z.unknown())], { error: 'expected a string or an array of input items' }),
  instructions: z.string().nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  reasoning: z.looseObject({ effort: z.enum(EFFORTS).nullish(), summary: z.string().nullish() }).nullish(),
  text: z.looseObject({ format: z.looseObject({ type: z.string() }).nullish() }).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  stream: z.boolean().nullish(),
  include: z.array(z.string()).nullish(),
  prompt_cache_key: z.string().nullish(),
  user: z.string().nullish(),
  background: z.boolean().nullish(),
})
export type ResponsesBody = z.infer<typeof responsesRequestSchema>

/** Parameters passed on to the upstream as they are (OpenAI's chat API takes them too). */
export function passthroughOf(body: ResponsesBody, hasTools: boolean): Record<string, unknown> {
  const extra: Record<string, unknown> = {}
  if (body.prompt_cache_key) extra.prompt_cache_key = body.prompt_cache_key
  // OpenAI refuses parallel_tool_calls on a request without tools.
  if (hasTools && typeof body.parallel_tool_calls === 'boolean') extra.parallel_tool_calls = body.parallel_tool_calls
  return extra
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined
  return v
}

export function parseResponsesBody(raw: unknown): ResponsesBody {
  const parsed = responsesRequestSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const param = issue.path.map(String).join('.')
    const missing = param !== '' && valueAt(raw, issue.path) === undefined
    throw ApiError.badRequest(`${param || 'body'}: ${missing ? 'required' : issue.message}`, param || null, missing ? 'missing_required_parameter' : 'invalid_value')
  }
  const body = parsed.data
  checkLimits(body, passthroughOf(body, true))
  if (!body.model) throw ApiError.badRequest('model: required', 'model', 'missing_required_parameter')
  if (body.background) throw ApiError.badRequest('background: background responses are not supported', 'background', 'not_supported')
  if (body.conversation != null) {
    throw ApiError.badRequest('conversation: the Conversations API is not supported; continue with previous_response_id', 'conversation', 'not_supported')
  }
  return body
}
