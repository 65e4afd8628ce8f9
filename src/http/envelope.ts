// The admin API's HixAI2Api-compatible envelope: {"code":0,"message":"success","data":...}.
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'

export const ok = (c: Context, data?: unknown) =>
  c.json(data === undefined ? { code: 0, message: 'success' } : { code: 0, message: 'success', data })

export const fail = (c: Context, status: ContentfulStatusCode, message: string, code = 1) =>
  c.json({ code, message }, status)

export class EnvelopeError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
  ) {
    super(message)
  }
}

/** Parse a JSON body against a schema; a bad body is a 400 naming the field. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let raw: unknown
  try {
    raw = await c.req.json()
  } catch {
    throw new EnvelopeError(400, 'request body is not valid JSON')
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const i = parsed.error.issues[0]!
    throw new EnvelopeError(400, `${i.path.join('.') || 'body'}: ${i.message}`)
  }
  return parsed.data
}

/** IDs are decimal strings in HixAI2Api; accept numbers and strings. */
export const idSchema = z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)])

export function idParam(c: Context): number {
  const id = Number(c.req.param('id'))
  if (!Number.isInteger(id) || id <= 0) throw new EnvelopeError(400, 'Invalid ID')
  return id
}

export const timeString = (ms: number | null | undefined) =>
  ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : null
