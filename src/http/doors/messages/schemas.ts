// POST /v1/messages and /v1/messages/count_tokens in the OpenAPI document: the bodies are
// body.ts's schemas, the answers the message object message.ts writes and the token count.
import { z } from 'zod'
import type { RouteDoc } from '../../route-doc.js'
import { countSchema, messagesSchema } from './body.js'
import { ANTHROPIC_ERRORS } from './errors.js'

const contentBlock = z.discriminatedUnion('type', [
  z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }),
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.record(z.string(), z.unknown()) }),
])

export const messageSchema = z.object({
  id: z.string(),
  type: z.literal('message'),
  role: z.literal('assistant'),
  model: z.string(),
  content: z.array(contentBlock),
  stop_reason: z.enum(['end_turn', 'max_tokens', 'tool_use', 'refusal']),
  stop_sequence: z.null(),
  usage: z.object({
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cache_creation_input_tokens: z.number().int(),
    cache_read_input_tokens: z.number().int(),
  }),
})

const base = { method: 'post', prefixed: true, tag: 'anthropic', auth: 'client', errors: ANTHROPIC_ERRORS } as const

export const messagesDocs = (): RouteDoc[] => [
  {
    ...base,
    path: '/v1/messages',
    summary: "Anthropic's Messages API, whole or streamed (for the Anthropic SDKs and Claude Code)",
    body: messagesSchema,
    response: messageSchema,
    stream: 'With `stream: true`: message_start, content_block_start/delta/stop per block, message_delta, message_stop (each `event:` and `data:` lines); `ping` while idle.',
  },
  {
    ...base,
    path: '/v1/messages/count_tokens',
    summary: 'The prompt size in tokens (estimated by the relay; nothing is billed)',
    body: countSchema,
    response: z.object({ input_tokens: z.number().int() }),
  },
]
