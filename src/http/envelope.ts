// The admin envelopes and how admin routes read their input. /api answers HixAI2Api's
// {"code":0,"message":"success","data":...}; the seeds' /user and /record routes answer
// {"code":0,"msg":"success","data":...} with the HTTP status as the failure code.
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { ADMIN_GUARD_STATUSES, type ErrorShape } from './route-doc.js'

/** /api's answers: `data` when the route has any. */
export const apiEnvelope = (data?: z.ZodType) =>
  z.object({ code: z.literal(0), message: z.literal('success'), ...(data ? { data } : {}) })
/** /api's failures: `code` 1 and the reason. */
export const apiFailSchema = z.object({ code: z.literal(1), message: z.string() }).meta({ title: 'ApiFailure' })
/** The seeds' /user and /record answers. */
export const seedEnvelope = (data: z.ZodType) => z.object({ code: z.literal(0), msg: z.literal('success'), data })
/** The seeds' failures: `code` repeats the HTTP status. */
export const seedFailSchema = z.object({ code: z.number().int(), msg: z.string() }).meta({ title: 'SeedFailure' })

const guarded = (statuses: number[]) => [...new Set([...ADMIN_GUARD_STATUSES, ...statuses, 500])].sort((a, b) => a - b)
/** /api's failure statuses for a route: the guard's (401, 403, 413), these, and 500. */
export const apiErrors = (...statuses: number[]): ErrorShape => ({ name: 'ApiFailure', schema: apiFailSchema, statuses: guarded(statuses) })
export const seedErrors = (...statuses: number[]): ErrorShape => ({ name: 'SeedFailure', schema: seedFailSchema, statuses: guarded(statuses) })

export const ok = (c: Context, data?: unknown) =>
  c.json(data === undefined ? { code: 0, message: 'success' } : { code: 0, message: 'success', data })

export const fail = (c: Context, status: ContentfulStatusCode, message: string, code = 1) =>
  c.json({ code, message }, status)

export const seedOk = (c: Context, data?: unknown) => c.json({ code: 0, msg: 'success', data: data ?? null })

export const seedFail = (c: Context, status: ContentfulStatusCode, msg: string) => c.json({ code: status, msg }, status)

export type Failure = (c: Context, status: ContentfulStatusCode, message: string) => Response

/** A failure in /api's envelope (code 1). */
export const apiFail: Failure = (c, status, message) => fail(c, status, message)

/** Every admin route family and its envelope; a path under one of them is an admin path. */
const ADMIN_FAMILIES: readonly [prefix: string, failure: Failure][] = [
  ['/api', apiFail],
  ['/user', seedFail],
  ['/record', seedFail],
  ['/mcp', seedFail],
  ['/conf', seedFail],
  ['/command', seedFail],
]

/** How failures on this path are rendered, when it belongs to an admin family. */
export function adminFailureFor(path: string): Failure | undefined {
  for (const [prefix, failure] of ADMIN_FAMILIES) if (path === prefix || path.startsWith(`${prefix}/`)) return failure
  return undefined
}

/**
 * Bodies past `limit` bytes are refused with 413 in the family's envelope, before they are read
 * whole. The connection closes after the answer: the unread rest must not be taken for a request.
 */
export const limitBody = (limit: number, failure: Failure): MiddlewareHandler =>
  bodyLimit({
    maxSize: limit,
    onError: (c) => {
      c.header('Connection', 'close')
      return failure(c, 413, `request body exceeds ${limit} bytes`)
    },
  })

export class EnvelopeError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The body's fields: JSON whatever the content-type says (curl's -d labels JSON as a form), or,
 * with `forms`, a real form post (urlencoded fields, multipart). An empty body is no fields.
 */
export async function readFields(c: Context, { forms = false } = {}): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').toLowerCase()
  if (forms && type.startsWith('multipart/form-data')) return c.req.parseBody({ all: true })
  const text = await c.req.text()
  const start = text.trimStart()[0]
  if (start === undefined) return {}
  if (forms && type.startsWith('application/x-www-form-urlencoded') && start !== '{' && start !== '[') return formFields(text)
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new EnvelopeError(400, `request body is not valid JSON: ${(err as Error).message}`)
  }
}

/** Repeated names (`-d id=1 -d id=2`) become a list, as hono's parseBody({ all: true }) does. */
function formFields(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = out[name]
    out[name] = seen === undefined ? value : [seen, value].flat()
  }
  return out
}

/** Validate input against a schema; a bad value is a 400 naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const at = issue.path.join('.')
  if (issue.code === 'unrecognized_keys') throw new EnvelopeError(400, `${at ? `${at}.` : ''}${issue.keys[0]}: unknown field`)
  throw new EnvelopeError(400, `${at || 'body'}: ${issue.message}`)
}

/** An object schema made strict: a field it does not name is refused, not silently dropped. */
const strict = <T extends z.ZodType>(schema: T): T => (schema instanceof z.ZodObject ? (schema.strict() as unknown as T) : schema)

/** A body's fields against a schema; unknown fields are refused with a 400 naming them. */
export async function bodyOf<T extends z.ZodType>(c: Context, schema: T, options: { forms?: boolean } = {}): Promise<z.infer<T>> {
  return parseInput(strict(schema), await readFields(c, options))
}

/** A JSON body (any content-type) against a schema; unknown fields are refused. */
export const jsonBody = <T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> => bodyOf(c, schema)

const camelCase = (name: string) => name.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase())

/**
 * The schema, also accepting each camelCase field in its snake_case spelling (`user_id` for
 * `userId`), as the seeds' clients send them. Naming a field both ways is refused.
 */
export function withSnakeCase<T extends z.ZodObject>(schema: T): z.ZodType<z.output<T>> {
  const known = new Set(Object.keys(schema.shape))
  return z.preprocess((raw, ctx) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw
    const out: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(raw)) {
      const camel = camelCase(name)
      const target = camel !== name && known.has(camel) ? camel : name
      if (target in out) ctx.addIssue({ code: 'custom', path: [name], message: `give ${camel} or ${name}, not both` })
      out[target] = value
    }
    return out
  }, schema.strict() as unknown as T).meta({ description: 'Each camelCase field may also be spelled in snake_case (user_id for userId).' })
}

/** Below this an epoch number is in seconds (1e11 s is the year 5138), from it in milliseconds (1e11 ms is 1973). */
export const EPOCH_MS_FROM = 1e11
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i

/** A moment as epoch milliseconds, given as ISO 8601 (a bare date is midnight UTC), epoch seconds or epoch milliseconds. */
export const instantSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const text = typeof v === 'string' ? v.trim() : ''
  const n = typeof v === 'number' ? v : /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : undefined
  const ms = n === undefined ? (ISO_8601.test(text) ? Date.parse(text.replace(' ', 'T')) : Number.NaN) : n < EPOCH_MS_FROM ? n * 1000 : n
  if (Number.isFinite(ms) && ms > 0) return Math.round(ms)
  ctx.addIssue({
    code: 'custom',
    message: 'expected ISO 8601 (2026-01-31, or 2026-01-31T12:00:00Z with Z or an offset), epoch seconds or epoch milliseconds',
  })
  return z.NEVER
}).meta({ description: 'ISO 8601 (a bare date is midnight UTC), epoch seconds or epoch milliseconds' })

/** IDs are decimal strings in HixAI2Api; accept numbers and strings. */
export const idSchema = z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)])

/** The `{id}` path parameter of the admin routes. */
export const idPath = z.object({ id: z.coerce.number().int().positive() })

export function idParam(c: Context): number {
  const parsed = idPath.safeParse(c.req.param())
  if (!parsed.success) throw new EnvelopeError(400, 'Invalid ID')
  return parsed.data.id
}

export const timeString = (ms: number | null | undefined) =>
  ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : null
