// POST /v1/chat/completions in the OpenAPI document: the body is validate.ts's zod schema (the one
// the door falls back to whenever body-check.ts's fast check does not accept a body outright), the
// answer the chat.completion object completion.ts writes.
import { z } from 'zod'
import { OPENAI_TURN_ERRORS } from '../../errors.js'
import type { RouteDoc } from '../../route-doc.js'
import { chatRequestSchema } from './validate.js'

const toolCall = z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) })

const message = z.object({
  role: z.literal('assistant'),
  content: z.string().nullable().meta({ description: 'null when the answer is tool calls only' }),
  reasoning_content: z.string().optional().meta({ description: 'The reasoning, where the model reasons and the route shows it as a field' }),
  tool_calls: z.array(toolCall).optional(),
  annotations: z.array(z.object({ type: z.literal('url_citation'), url_citation: z.object({ url: z.string(), title: z.string() }) })).optional(),
})

export const completionSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message,
      finish_reason: z.string(),
      logprobs: z.object({ content: z.array(z.unknown()) }).nullable(),
    }),
  ),
  usage: z.object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
    completion_tokens_details: z.object({ reasoning_tokens: z.number().int() }).optional(),
  }),
})

export const chatDocs = (): RouteDoc[] => [
  {
    method: 'post',
    path: '/v1/chat/completions',
    prefixed: true,
    summary: 'Chat completion, whole or streamed; OpenAI-compatible',
    description: 'Fields the schema does not name are passed on to upstreams that accept arbitrary parameters (bounded in depth and size).',
    tag: 'openai',
    auth: 'client',
    body: chatRequestSchema,
    response: completionSchema,
    stream: 'With `stream: true`: `data:` lines of chat.completion.chunk objects, then `data: [DONE]`.',
    errors: OPENAI_TURN_ERRORS,
  },
]
