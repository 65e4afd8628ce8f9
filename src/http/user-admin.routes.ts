// The seeds' user-token admin API at the root: /user/token/add, /user/list, /user/update/mode,
// /record/list, /record/delete. Behind the admin secret; envelope {"code":0,"msg":"success","data"}.
import { createHash } from 'node:crypto'
import { Hono } from 'hono'
import { z } from 'zod'
import { findIdempotent, saveIdempotent } from '../db/idempotency.repo.js'
import { type RecordRow, listRecords, softDeleteRecords } from '../db/records.repo.js'
import { type UserRow, grantTokens, listUsers, setMode, setUserLimits } from '../db/users.repo.js'
import type { Services } from '../services.js'
import { EnvelopeError, bodyOf, instantSchema, limitBody, parseInput, seedEnvelope, seedErrors, seedFail, seedOk, timeString } from './envelope.js'
import { adminAuth } from './middleware/admin-auth.js'
import { limitSpecSchema } from './limit-fields.js'
import type { RouteDoc } from './route-doc.js'

const userView = z.object({
  user_id: z.string(),
  mode: z.string().meta({ description: 'Default model' }),
  token: z.number().meta({ description: 'Total ever granted' }),
  avail_token: z.number().meta({ description: 'Spendable now' }),
  updatetime: z.number().int().meta({ description: 'Unix seconds' }),
  limits: limitSpecSchema.nullable().meta({ description: "Rate limits over all of the user's keys" }),
})
const recordView = z.object({
  id: z.number().int(),
  user_id: z.string().nullable(),
  question: z.string(),
  answer: z.string(),
  content: z.string(),
  token: z.number(),
  is_deleted: z.union([z.literal(0), z.literal(1)]),
  create_time: z.string().nullable(),
  record_type: z.number().int().meta({ description: '1 API chat, 2 session chat' }),
  request_id: z.string().nullable(),
  model: z.string().nullable(),
  served_model: z.string().nullable(),
  tool_calls: z.array(z.unknown()).nullable(),
})

const describeUser = (u: UserRow): z.infer<typeof userView> => ({ user_id: u.userId, mode: u.mode, token: u.token, avail_token: u.availToken, updatetime: u.updatetime, limits: u.limits ?? null })

const describeRecord = (r: RecordRow): z.infer<typeof recordView> => ({
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
  model: r.model,
  served_model: r.servedModel,
  tool_calls: r.toolCalls,
})

const userId = z.string().trim().min(1).max(200)
const addSchema = z.strictObject({ user_id: userId, token: z.coerce.number().finite().nonnegative('token must not be negative') })
const modeSchema = z.strictObject({ user_id: userId, mode: z.string().trim().min(1) })
const limitsSchema = z.strictObject({ user_id: userId, ...limitSpecSchema.shape })
const page = z.coerce.number().int().positive().default(1)
const size = z.coerce.number().int().positive().max(1000).default(20)
const listSchema = z.object({ page, page_size: size, user_id: z.string().optional() })
const recordListSchema = z.object({
  page,
  pageSize: size,
  user_id: z.string().optional(),
  isDeleted: z.enum(['0', '1', 'true', 'false']).optional(),
  model: z.string().min(1).optional(),
  since: instantSchema.optional(),
  until: instantSchema.optional(),
})
/** Most record ids one /record/delete takes (SQLite binds each as a parameter). */
export const MAX_DELETE_IDS = 1000
const idList = z.union([z.coerce.number().int().positive(), z.array(z.coerce.number().int().positive())])
const deleteSchema = z.strictObject({ id: idList.optional(), ids: idList.optional() })

const pageOf = (data: z.ZodType) => seedEnvelope(z.object({ list: z.array(data), total: z.number().int() }))
const idempotency = z.object({
  'idempotency-key': z.string().optional().meta({ description: 'A retry with the same key and body replays the first answer; another body is 409' }),
})
const base = { tag: 'admin', auth: 'admin' } as const
export const userAdminDocs = (): RouteDoc[] => [
  {
    ...base,
    method: 'post',
    forms: true,
    path: '/user/token/add',
    summary: 'Add tokens to a user (created if new); honours Idempotency-Key',
    body: addSchema,
    headers: idempotency,
    response: seedEnvelope(userView),
    errors: seedErrors(400, 409),
  },
  { ...base, method: 'get', path: '/user/list', summary: 'Users and balances', query: listSchema, response: pageOf(userView), errors: seedErrors(400) },
  {
    ...base,
    method: 'post',
    forms: true,
    path: '/user/update/mode',
    summary: "Set a user's default model",
    body: modeSchema,
    response: seedEnvelope(userView),
    errors: seedErrors(400),
  },
  {
    ...base,
    method: 'post',
    path: '/user/limits',
    summary: "Set a user's rate limits over all its keys (rpm, tpm, concurrency; all null or absent clears them)",
    body: limitsSchema,
    response: seedEnvelope(userView),
    errors: seedErrors(400),
  },
  { ...base, method: 'get', path: '/record/list', summary: 'Chat records, newest first', query: recordListSchema, response: pageOf(recordView), errors: seedErrors(400) },
  {
    ...base,
    method: 'post',
    forms: true,
    path: '/record/delete',
    summary: `Soft-delete records ({"id"} or {"ids": [...]}, at most ${MAX_DELETE_IDS})`,
    body: deleteSchema,
    response: seedEnvelope(z.object({ deleted: z.number().int() })),
    errors: seedErrors(400, 404),
  },
]

export function userAdminRoutes(s: Services) {
  const app = new Hono()
  const guards = [adminAuth(s.config.admin, seedFail), limitBody(s.config.admin.body_limit, seedFail)]
  app.use('/user/*', ...guards)
  app.use('/record/*', ...guards)
  app.onError((err, c) => {
    if (err instanceof EnvelopeError) return seedFail(c, err.status, err.message)
    s.log.error(`user admin API error: ${err.stack ?? err.message}`)
    return c.json({ code: 500, msg: 'internal error' }, 500)
  })

  app.post('/user/token/add', async (c) => {
    const body = await bodyOf(c, addSchema, { forms: true })
    const key = c.req.header('idempotency-key')
    if (!key) return seedOk(c, describeUser(await grantTokens(s.db, body.user_id, body.token)))
    // The grant and the stored answer commit together, so a retry either replays or adds once.
    const bodyHash = createHash('sha256').update(JSON.stringify([body.user_id, body.token])).digest('hex')
    const data = await s.db.transaction(async (tx) => {
      const seen = await findIdempotent(tx, 'user/token/add', key)
      if (seen && seen.bodyHash !== bodyHash) throw new EnvelopeError(409, 'Idempotency-Key was already used with a different body')
      if (seen) return seen.response
      const response = describeUser(await grantTokens(tx, body.user_id, body.token))
      await saveIdempotent(tx, { scope: 'user/token/add', key, bodyHash, response, createdAt: Date.now() })
      return response
    })
    return seedOk(c, data)
  })

  app.get('/user/list', async (c) => {
    const q = parseInput(listSchema, c.req.query())
    const { list, total } = await listUsers(s.db, { offset: (q.page - 1) * q.page_size, limit: q.page_size, ...(q.user_id ? { userId: q.user_id } : {}) })
    return seedOk(c, { list: list.map(describeUser), total })
  })

  app.post('/user/update/mode', async (c) => {
    const body = await bodyOf(c, modeSchema, { forms: true })
    if (body.mode === 'auto' || !s.router.resolve(body.mode)) throw new EnvelopeError(400, `mode: ${body.mode} is not a routable model`)
    return seedOk(c, describeUser(await setMode(s.db, body.user_id, body.mode)))
  })

  app.post('/user/limits', async (c) => {
    const { user_id, ...spec } = await bodyOf(c, limitsSchema)
    const limits = spec.rpm || spec.tpm || spec.concurrency ? { rpm: spec.rpm ?? null, tpm: spec.tpm ?? null, concurrency: spec.concurrency ?? null } : null
    const row = await setUserLimits(s.db, user_id, limits)
    s.limiter.invalidate()
    return seedOk(c, describeUser(row))
  })

  app.get('/record/list', async (c) => {
    await s.billing.flush()
    const q = parseInput(recordListSchema, c.req.query())
    const isDeleted = q.isDeleted === undefined ? undefined : q.isDeleted === '1' || q.isDeleted === 'true'
    const { list, total } = await listRecords(s.db, {
      offset: (q.page - 1) * q.pageSize,
      limit: q.pageSize,
      ...(q.user_id ? { userId: q.user_id } : {}),
      ...(isDeleted === undefined ? {} : { isDeleted }),
      ...(q.model ? { model: q.model } : {}),
      ...(q.since === undefined ? {} : { since: q.since }),
      ...(q.until === undefined ? {} : { until: q.until }),
    })
    return seedOk(c, { list: list.map(describeRecord), total })
  })

  app.post('/record/delete', async (c) => {
    await s.billing.flush()
    const body = await bodyOf(c, deleteSchema, { forms: true })
    const ids = [body.id ?? [], body.ids ?? []].flat()
    if (!ids.length) throw new EnvelopeError(400, 'id: required (a record id, or ids: [...])')
    if (ids.length > MAX_DELETE_IDS) throw new EnvelopeError(400, `ids: at most ${MAX_DELETE_IDS} records per request, got ${ids.length}`)
    const deleted = await softDeleteRecords(s.db, ids)
    if (!deleted) throw new EnvelopeError(404, 'record not found')
    return seedOk(c, { deleted })
  })

  return app
}
