// The seeds' user-token admin API at the root: /user/token/add, /user/list, /user/update/mode,
// /record/list, /record/delete. Behind the admin secret; envelope {"code":0,"msg":"success","data"}.
import { createHash } from 'node:crypto'
import { type Context, Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { immediate } from '../db/client.js'
import { findIdempotent, saveIdempotent } from '../db/idempotency.repo.js'
import { type RecordRow, listRecords, softDeleteRecords } from '../db/records.repo.js'
import { type UserRow, grantTokens, listUsers, setMode } from '../db/users.repo.js'
import type { Services } from '../services.js'
import { EnvelopeError, timeString } from './envelope.js'
import { adminAuth } from './middleware/admin-auth.js'

const ok = (c: Context, data?: unknown) => c.json({ code: 0, msg: 'success', data: data ?? null })
// Rendered through the context so the request id and CORS headers reach failures too.
const failure = (c: Context, status: ContentfulStatusCode, msg: string) => c.json({ code: status, msg }, status)

const describeUser = (u: UserRow) => ({ user_id: u.userId, mode: u.mode, token: u.token, avail_token: u.availToken, updatetime: u.updatetime })

const describeRecord = (r: RecordRow) => ({
  id: r.id,
  user_id: r.userId,
  question: r.question,
  answer: r.answer,
  content: r.content,
  token: r.token,
  is_deleted: r.isDeleted ? 1 : 0,
  create_time: timeString(r.createdAt),
  record_type: r.recordType,
  request_id: r.requestId,
})

/** JSON or form fields, whichever the caller sent (the seeds' clients use both). */
async function fields(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? ''
  try {
    if (type.includes('application/json')) return ((await c.req.json()) ?? {}) as Record<string, unknown>
    return (await c.req.parseBody({ all: true })) as Record<string, unknown>
  } catch {
    throw new EnvelopeError(400, 'request body is not valid JSON or form data')
  }
}

function parse<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  const i = parsed.error.issues[0]!
  throw new EnvelopeError(400, `${i.path.join('.') || 'body'}: ${i.message}`)
}

const userId = z.string().trim().min(1).max(200)
const addSchema = z.object({ user_id: userId, token: z.coerce.number().finite().nonnegative('token must not be negative') })
const modeSchema = z.object({ user_id: userId, mode: z.string().trim().min(1) })
const page = z.coerce.number().int().positive().default(1)
const size = z.coerce.number().int().positive().max(1000).default(20)
const listSchema = z.object({ page, page_size: size, user_id: z.string().optional() })
const recordListSchema = z.object({
  page,
  pageSize: size,
  user_id: z.string().optional(),
  isDeleted: z.enum(['0', '1', 'true', 'false']).optional(),
})
const idList = z.union([z.coerce.number().int().positive(), z.array(z.coerce.number().int().positive())])
const deleteSchema = z.object({ id: idList.optional(), ids: idList.optional() }).refine((v) => v.id !== undefined || v.ids !== undefined, 'id: required')

export function userAdminRoutes(s: Services) {
  const app = new Hono()
  const auth = adminAuth(s.config.admin.secret, failure)
  app.use('/user/*', auth)
  app.use('/record/*', auth)
  app.onError((err, c) => {
    if (err instanceof EnvelopeError) return failure(c, err.status, err.message)
    s.log.error(`user admin API error: ${err.message}`)
    return c.json({ code: 500, msg: 'internal error' }, 500)
  })

  app.post('/user/token/add', async (c) => {
    const body = parse(addSchema, await fields(c))
    const key = c.req.header('idempotency-key')
    if (!key) return ok(c, describeUser(grantTokens(s.db, body.user_id, body.token)))
    // The grant and the stored answer commit together, so a retry either replays or adds once.
    const bodyHash = createHash('sha256').update(JSON.stringify([body.user_id, body.token])).digest('hex')
    const data = immediate(s.db, () => {
      const seen = findIdempotent(s.db, 'user/token/add', key)
      if (seen && seen.bodyHash !== bodyHash) throw new EnvelopeError(409, 'Idempotency-Key was already used with a different body')
      if (seen) return seen.response
      const response = describeUser(grantTokens(s.db, body.user_id, body.token))
      saveIdempotent(s.db, { scope: 'user/token/add', key, bodyHash, response, createdAt: Date.now() })
      return response
    })
    return ok(c, data)
  })

  app.get('/user/list', (c) => {
    const q = parse(listSchema, c.req.query())
    const { list, total } = listUsers(s.db, { offset: (q.page - 1) * q.page_size, limit: q.page_size, ...(q.user_id ? { userId: q.user_id } : {}) })
    return ok(c, { list: list.map(describeUser), total })
  })

  app.post('/user/update/mode', async (c) => {
    const body = parse(modeSchema, await fields(c))
    if (body.mode === 'auto' || !s.router.resolve(body.mode)) throw new EnvelopeError(400, `mode: ${body.mode} is not a routable model`)
    return ok(c, describeUser(setMode(s.db, body.user_id, body.mode)))
  })

  app.get('/record/list', (c) => {
    s.billing.flush()
    const q = parse(recordListSchema, c.req.query())
    const isDeleted = q.isDeleted === undefined ? undefined : q.isDeleted === '1' || q.isDeleted === 'true'
    const { list, total } = listRecords(s.db, {
      offset: (q.page - 1) * q.pageSize,
      limit: q.pageSize,
      ...(q.user_id ? { userId: q.user_id } : {}),
      ...(isDeleted === undefined ? {} : { isDeleted }),
    })
    return ok(c, { list: list.map(describeRecord), total })
  })

  app.post('/record/delete', async (c) => {
    s.billing.flush()
    const body = parse(deleteSchema, await fields(c))
    const ids = [body.id ?? [], body.ids ?? []].flat()
    const deleted = softDeleteRecords(s.db, ids)
    if (!deleted) throw new EnvelopeError(404, 'record not found')
    return ok(c, { deleted })
  })

  return app
}
