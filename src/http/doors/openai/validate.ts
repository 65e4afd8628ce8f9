// The chat request as the openai SDK sends it. Known fields are checked; unknown ones pass
// through to upstreams that accept arbitrary parameters.
import { z } from 'zod'
import type { BaseRequest } from '../../../core/relay.js'
import type { ChatMessage } from '../../../kit/types.js'
import { isWellFormedChat } from './body-check.js'
import { ApiError } from '../../errors.js'
import { checkLimits } from '../../json-limits.js'
import { hasUrl } from './body-check.js'

// Parts are checked where a missing field would fail only after the upstream answered.
const contentPart = z.looseObject({ type: z.string() }).superRefine((part, ctx) => {
  if (part.type === 'text' && typeof part.text !== 'string') {
    ctx.addIssue({ code: 'custom', path: ['text'], message: 'a text part needs text (a string)' })
  }
  if (part.type === 'image_url' && !hasUrl(part.image_url)) {
    ctx.addIssue({ code: 'custom', path: ['image_url', 'url'], message: 'an image_url part needs image_url.url' })
  }
}).meta({ description: 'A text part needs text (a string); an image_url part needs image_url.url' })
const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(z.looseObject({ id: z.string(), function: z.looseObject({ name: z.string(), arguments: z.string() }) })).optional(),
  tool_call_id: z.string().optional(),
})

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1).optional(),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: z.unknown().optional(),
  response_format: z.looseObject({ type: z.string() }).nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high']).nullish(),
  user: z.string().nullish(),
  conversation_id: z.string().nullish(),
})
export type ChatBody = z.infer<typeof chatRequestSchema>

const KNOWN = new Set([
  'model', 'messages', 'stream', 'stream_options', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens',
  'n', 'stop', 'tools', 'tool_choice', 'response_format', 'user', 'conversation_id', 'reasoning_effort',
  // The relay's own opt-in (chat-mcp.ts), never an upstream's parameter.
  'mcp',
])

/** The body as the schema reads it; the hand-written check lets the common case skip zod. */
export function parseChatBody(raw: unknown): ChatBody {
  const body = isWellFormedChat(raw) ? raw : schemaParse(raw)
  checkLimits(body, passthroughOf(body))
  return body
}

function schemaParse(raw: unknown): ChatBody {
  const parsed = chatRequestSchema.safeParse(raw)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const param = issue.path.map(String).join('.')
  throw ApiError.badRequest(`${param || 'body'}: ${issue.message}`, param || null, 'invalid_value')
}

/** Parameters we do not model, passed to upstreams that accept arbitrary fields. */
function passthroughOf(body: ChatBody): Record<string, unknown> {
  const extra: Record<string, unknown> = {}
  for (const k in body) if (!KNOWN.has(k)) extra[k] = body[k]
  return extra
}

/** The request as the core takes it (the model is resolved by the core); unset fields stay absent. */
export function toBaseRequest(body: ChatBody): Omit<BaseRequest, 'requestedModel'> {
  const messages = body.messages.map((m) => ({ ...m, content: m.content ?? null }) as ChatMessage)
  const request: Omit<BaseRequest, 'requestedModel'> = { messages, stream: body.stream === true, extra: passthroughOf(body) }
  // Field by field rather than filtering a literal: this runs on every chat request.
  if (body.temperature != null) request.temperature = body.temperature
  if (body.top_p != null) request.top_p = body.top_p
  if (body.n != null && body.n > 1) request.n = body.n
  const maxTokens = body.max_completion_tokens ?? body.max_tokens
  if (maxTokens != null) request.max_tokens = maxTokens
  if (body.max_completion_tokens != null) request.maxTokensParam = 'max_completion_tokens'
  if (body.stop != null) request.stop = typeof body.stop === 'string' ? [body.stop] : body.stop
  if (body.tools != null) request.tools = body.tools
  if (body.tool_choice != null) request.tool_choice = body.tool_choice
  if (body.response_format != null) request.response_format = body.response_format
  if (body.reasoning_effort) request.reasoning = { effort: body.reasoning_effort }
  if (body.user != null) request.user = body.user
  if (body.conversation_id != null) request.conversationId = body.conversation_id
  return request
}
