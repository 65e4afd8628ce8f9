// The Messages request body as Anthropic's SDK and Claude Code send it. The fields Freeway maps are
// checked here; content blocks are checked where they are mapped (request.ts). Everything else
// (context_management, output_config beyond effort, service_tier, container, cache_control...)
// is accepted and dropped: OpenAI-shaped upstreams would refuse it.
import { z } from 'zod'
import { ApiError } from '../../errors.js'

const block = z.looseObject({ type: z.string() })
export type Block = z.infer<typeof block>

const content = z.union([z.string(), z.array(block)])
export type Content = z.infer<typeof content>

const message = z.looseObject({
  // Claude Code places `system` entries inside messages; they become system messages in place.
  role: z.enum(['user', 'assistant', 'system']),
  content,
})

const tool = z.looseObject({
  name: z.string().min(1),
  type: z.string().nullish(),
  description: z.string().nullish(),
  input_schema: z.looseObject({}).nullish(),
})
export type Tool = z.infer<typeof tool>

const toolChoice = z.looseObject({
  type: z.enum(['auto', 'any', 'tool', 'none']),
  name: z.string().min(1).optional(),
  disable_parallel_tool_use: z.boolean().nullish(),
})

const thinking = z.looseObject({
  type: z.enum(['enabled', 'disabled', 'adaptive']),
  budget_tokens: z.number().int().positive().nullish(),
})

const shape = {
  model: z.string({ error: 'model: Field required' }).min(1),
  messages: z.array(message, { error: 'messages: Field required' }),
  system: content.nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().nonnegative().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  stream: z.boolean().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  thinking: thinking.nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
  output_config: z.looseObject({ effort: z.string().nullish() }).nullish(),
}

export const countSchema = z.looseObject(shape)
export const messagesSchema = z.looseObject({ ...shape, max_tokens: z.number({ error: 'max_tokens: Field required' }).int().positive() })

export type CountBody = z.infer<typeof countSchema>
export type MessagesBody = z.infer<typeof messagesSchema>

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const param = issue.path.map(String).join('.')
  const message = issue.message.startsWith(`${param}:`) ? issue.message : `${param || 'body'}: ${issue.message}`
  throw ApiError.badRequest(message, param || null, 'invalid_value')
}

/** POST /v1/messages: max_tokens is required, as Anthropic requires it. */
export const parseMessagesBody = (raw: unknown): MessagesBody => parse(messagesSchema, raw)

/** POST /v1/messages/count_tokens: the same body without max_tokens. */
export const parseCountBody = (raw: unknown): CountBody => parse(countSchema, raw)
