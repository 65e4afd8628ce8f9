// POST /v1/embeddings: OpenAI's embeddings request in, one vector per input out, in the encoding
// the client asked for (the openai SDK asks for base64 by default and decodes it itself).
import { z } from 'zod'
import type { EmbeddingService } from '../../../core/embeddings.js'
import type { Logger } from '../../../kit/log.js'
import { ApiError, OPENAI_TURN_ERRORS, openaiErrorReply } from '../../errors.js'
import { checkLimits } from '../../json-limits.js'
import type { RouteDoc } from '../../route-doc.js'
import type { Door, Prepared, Reply } from '../door.js'

const text = z.string().min(1, 'input must not be empty')
const tokens = z.array(z.number().int().nonnegative()).min(1, 'input must not be empty')

export const embeddingsSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([text, z.array(text).min(1).max(2048), tokens, z.array(tokens).min(1).max(2048)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
})

const embeddingsAnswer = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ object: z.literal('embedding'), index: z.number().int(), embedding: z.union([z.array(z.number()), z.string()]) })),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
})

export const embeddingsDocs = (): RouteDoc[] => [
  {
    method: 'post',
    path: '/v1/embeddings',
    prefixed: true,
    summary: 'Embeddings: one vector per input, as floats or base64 (float32 little-endian)',
    tag: 'openai',
    auth: 'client',
    body: embeddingsSchema,
    response: embeddingsAnswer,
    errors: OPENAI_TURN_ERRORS,
  },
]

const KNOWN = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user'])

/** float32 little-endian, as OpenAI encodes base64 embeddings. */
function toBase64(vector: number[]): string {
  const buf = Buffer.alloc(vector.length * 4)
  for (const [i, v] of vector.entries()) buf.writeFloatLE(v, i * 4)
  return buf.toString('base64')
}

function toFloats(encoded: string): number[] {
  const buf = Buffer.from(encoded, 'base64')
  return Array.from({ length: Math.floor(buf.length / 4) }, (_, i) => buf.readFloatLE(i * 4))
}

function parse(raw: unknown) {
  const parsed = embeddingsSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const param = issue.path.map(String).join('.')
    throw ApiError.badRequest(`${param || 'body'}: ${issue.message}`, param || null, 'invalid_value')
  }
  return parsed.data
}

async function handle(service: EmbeddingService, req: Prepared, signal: AbortSignal): Promise<Reply> {
  const body = parse(req.body)
  const extra: Record<string, unknown> = {}
  for (const k in body) if (!KNOWN.has(k)) extra[k] = body[k]
  checkLimits(body, extra)
  const input = typeof body.input === 'string' ? [body.input] : typeof body.input[0] === 'number' ? [body.input as number[]] : body.input
  const format = body.encoding_format ?? 'float'
  const result = await service.embed({
    requestId: req.requestId,
    clientRequestId: req.clientRequestId,
    startedAt: req.startedAt,
    caller: req.caller,
    model: body.model,
    request: {
      input: input as string[] | number[][],
      encodingFormat: format,
      ...(body.dimensions ? { dimensions: body.dimensions } : {}),
      ...(body.user ? { user: body.user } : {}),
      extra,
    },
    signal,
  })
  const data = result.vectors.map((v, index) => ({
    object: 'embedding' as const,
    index,
    embedding: format === 'base64' ? (typeof v === 'string' ? v : toBase64(v)) : typeof v === 'string' ? toFloats(v) : v,
  }))
  const usage = { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens }
  const answer: z.infer<typeof embeddingsAnswer> = { object: 'list', data, model: result.model, usage }
  return { kind: 'json', status: 200, body: answer }
}

export function embeddingsDoor(o: { embeddings: EmbeddingService; log: Logger }): Door {
  return {
    path: '/v1/embeddings',
    prefixed: true,
    handle: (req, signal) => handle(o.embeddings, req, signal),
    error: (err) => openaiErrorReply(err, o.log),
  }
}
