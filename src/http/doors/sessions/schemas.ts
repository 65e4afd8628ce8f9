// The session routes in the OpenAPI document: /chat's body is chat.ts's schema, the views'
// parameters the ones routes.ts parses with; failures are {detail} plus OpenAI's error object.
import { z } from 'zod'
import { TURN_STATUSES, openaiErrorSchema } from '../../errors.js'
import type { ErrorShape, RouteDoc } from '../../route-doc.js'
import { chatSchema } from './chat.js'

export const sessionParams = z.object({ id: z.string().min(1).meta({ description: 'The session id' }) })
export const sessionQuery = z.object({
  user_id: z.string().optional().meta({ description: 'The user the session belongs to (a key that may act for others)' }),
})

const sessionErrorSchema = z.object({ detail: z.string(), ...openaiErrorSchema.shape })
const errors = (statuses: readonly number[]): ErrorShape => ({ name: 'SessionError', schema: sessionErrorSchema, statuses })

export const sessionInfoSchema = z.object({
  session_id: z.string(),
  user_id: z.string().nullable(),
  conversation_id: z.string().nullable(),
  last_activity: z.string().meta({ description: 'ISO 8601' }),
  message_count: z.number().int(),
  status: z.string(),
})
export const sessionClearedSchema = z.object({ message: z.literal('session cleared'), session_id: z.string(), cleared_at: z.string() })
const chatAnswer = z.object({
  response: z.string(),
  session_id: z.string(),
  message_id: z.string(),
  timestamp: z.string(),
  conversation_id: z.string().nullable(),
})

const base = { tag: 'sessions', auth: 'client' } as const

export const sessionDocs = (): RouteDoc[] => [
  {
    ...base,
    method: 'post',
    path: '/chat',
    summary: 'Session chat: one message in, the whole answer out; the session keeps the history',
    body: chatSchema,
    response: chatAnswer,
    errors: errors(TURN_STATUSES),
  },
  {
    ...base,
    method: 'post',
    path: '/chat/stream',
    summary: 'Session chat as an event stream; the session id is also in the X-Session-Id header',
    body: chatSchema,
    stream:
      '`data: {"type":"chunk","data":{"content","chunk_index"}}` per piece of text, then one `{"type":"complete","data":{"total_chunks","full_content","session_id","conversation_id"}}` (or `{"type":"error","data":{"message"}}`).',
    errors: errors(TURN_STATUSES),
  },
  {
    ...base,
    method: 'get',
    path: '/session/{id}/info',
    summary: 'A chat session: user, upstream conversation, last activity, message count, status',
    params: sessionParams,
    query: sessionQuery,
    response: sessionInfoSchema,
    errors: errors([400, 401, 403, 404, 500]),
  },
  {
    ...base,
    method: 'post',
    path: '/session/{id}/clear',
    summary: "Forget a session's history",
    params: sessionParams,
    query: sessionQuery,
    response: sessionClearedSchema,
    errors: errors([400, 401, 403, 404, 409, 500]),
  },
]
