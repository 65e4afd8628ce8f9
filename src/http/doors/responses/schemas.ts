// The Responses routes' query schemas (routes.ts parses with them) and the shapes they answer with,
// for the OpenAPI document: the `response` object (response.ts), input item pages, deletions.
import { z } from 'zod'
import { OPENAI_TURN_ERRORS, openaiErrors } from '../../errors.js'
import type { RouteDoc } from '../../route-doc.js'
import { responsesRequestSchema } from './validate.js'

export const responseParams = z.object({ id: z.string().min(1).meta({ description: 'A response id (resp_…)' }) })
export const getQuery = z.object({
  stream: z.string().optional().meta({ description: '`true` is refused: a stored response is not replayed as events' }),
})
export const inputItemsQuery = z.object({
  limit: z.coerce
    .number({ error: 'expected an integer from 1 to 100' })
    .int('expected an integer from 1 to 100')
    .min(1, 'expected an integer from 1 to 100')
    .max(100, 'expected an integer from 1 to 100')
    .default(20),
  order: z.enum(['asc', 'desc'], { error: 'expected asc or desc' }).default('desc'),
  after: z.string().optional().meta({ description: 'An input item id: the page starts after it' }),
})

const status = z.enum(['in_progress', 'completed', 'incomplete'])
const outputItem = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message'),
    id: z.string(),
    status,
    role: z.literal('assistant'),
    content: z.array(
      z.object({
        type: z.literal('output_text'),
        text: z.string(),
        annotations: z.array(
          z.object({ type: z.literal('url_citation'), url: z.string(), title: z.string(), start_index: z.number().int(), end_index: z.number().int() }),
        ),
        logprobs: z.array(z.unknown()),
      }),
    ),
  }),
  z.object({ type: z.literal('reasoning'), id: z.string(), summary: z.array(z.object({ type: z.literal('summary_text'), text: z.string() })) }),
  z.object({
    type: z.literal('function_call'),
    id: z.string(),
    status,
    call_id: z.string(),
    name: z.string(),
    arguments: z.string(),
    namespace: z.string().optional(),
  }),
])

const usage = z.object({
  input_tokens: z.number().int(),
  input_tokens_details: z.object({ cached_tokens: z.number().int() }),
  output_tokens: z.number().int(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
  total_tokens: z.number().int(),
})

/** The `response` object as response.ts writes it (whole, in events, from GET). */
export const responseObjectSchema = z.object({
  id: z.string(),
  object: z.literal('response'),
  created_at: z.number().int(),
  status: z.enum(['in_progress', 'completed', 'incomplete', 'failed']),
  background: z.boolean(),
  completed_at: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  incomplete_details: z.object({ reason: z.enum(['max_output_tokens', 'content_filter']) }).nullable(),
  instructions: z.string().nullable(),
  max_output_tokens: z.number().int().nullable(),
  model: z.string(),
  output: z.array(outputItem),
  parallel_tool_calls: z.boolean(),
  previous_response_id: z.string().nullable(),
  prompt_cache_key: z.string().nullable(),
  reasoning: z.object({ effort: z.string().nullable(), summary: z.string().nullable() }),
  store: z.boolean(),
  temperature: z.number(),
  text: z.object({ format: z.looseObject({ type: z.string() }) }),
  tool_choice: z.unknown(),
  tools: z.array(z.looseObject({ type: z.string() })),
  top_p: z.number(),
  truncation: z.literal('disabled'),
  usage: usage.nullable(),
  user: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
})

const STREAM = 'With `stream: true`: the Responses events (response.created … response.completed, or response.failed), each `event:` and `data:` lines.'
const base = { prefixed: true, tag: 'openai', auth: 'client' } as const

export const responsesDocs = (): RouteDoc[] => [
  {
    ...base,
    method: 'post',
    path: '/v1/responses',
    summary: 'OpenAI Responses API: a response or its event stream; store and previous_response_id',
    body: responsesRequestSchema,
    response: responseObjectSchema,
    stream: STREAM,
    errors: OPENAI_TURN_ERRORS,
  },
  {
    ...base,
    method: 'get',
    path: '/v1/responses/{id}',
    summary: 'A stored response (its creator only)',
    params: responseParams,
    query: getQuery,
    response: responseObjectSchema,
    errors: openaiErrors(400, 401, 404),
  },
  {
    ...base,
    method: 'delete',
    path: '/v1/responses/{id}',
    summary: 'Delete a stored response',
    params: responseParams,
    response: z.object({ id: z.string(), object: z.literal('response'), deleted: z.literal(true) }),
    errors: openaiErrors(401, 404),
  },
  {
    ...base,
    method: 'get',
    path: '/v1/responses/{id}/input_items',
    summary: 'The input items of a stored response, a page at a time',
    params: responseParams,
    query: inputItemsQuery,
    response: z.object({
      object: z.literal('list'),
      data: z.array(z.looseObject({ id: z.string().optional(), type: z.string().optional() })),
      first_id: z.string().nullable(),
      last_id: z.string().nullable(),
      has_more: z.boolean(),
    }),
    errors: openaiErrors(400, 401, 404),
  },
]
