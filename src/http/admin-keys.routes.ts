// Client key management: PUT /api/key, POST /api/key/update, DELETE /api/key/:id, GET /api/key/all.
// A key may carry rate limits (rpm, tpm, concurrency, limits.models.<model>): src/core/rate-limiter.ts.
import { Hono } from 'hono'
import { z } from 'zod'
import { generateKey, keyDisplay } from '../core/client-keys.js'
import { type ClientKeyRow, deleteKey, findKeyByHash, insertKey, listKeys, updateKey } from '../db/keys.repo.js'
import type { Services } from '../services.js'
import {
  EnvelopeError,
  apiEnvelope,
  apiErrors,
  idParam,
  idPath,
  idSchema,
  instantSchema,
  jsonBody,
  ok,
  timeString,
  withSnakeCase,
} from './envelope.js'
import { keyLimitsSchema, limitSpecSchema } from './limit-fields.js'
import type { RouteDoc } from './route-doc.js'

const keyFields = {
  remark: z.string().max(900).optional(),
  expiresAt: instantSchema.nullable().optional(),
  allowedModels: z.array(z.string()).nullable().optional(),
  userId: z.string().nullable().optional(),
  actForOthers: z.boolean().optional(),
  enabled: z.boolean().optional(),
  ...limitSpecSchema.shape,
  limits: keyLimitsSchema,
}
// The seeds' clients spell the same fields in snake_case (user_id, allowed_models, expires_at...).
const createSchema = withSnakeCase(z.object({ apiKey: z.string().min(8).optional(), ...keyFields }))
const updateSchema = withSnakeCase(z.object({ id: idSchema, apiKey: z.string().min(8).optional(), ...keyFields }))

const keyView = z.object({
  id: z.string(),
  apiKey: z.string().meta({ description: 'Masked (prefix…suffix), except in the answer that creates it' }),
  remark: z.string(),
  enabled: z.boolean(),
  expiresAt: z.number().nullable().meta({ description: 'Epoch milliseconds' }),
  allowedModels: z.array(z.string()).nullable(),
  userId: z.string().nullable(),
  actForOthers: z.boolean(),
  createTime: z.string().nullable(),
  lastUsedTime: z.string().nullable(),
  rpm: z.number().int().nullable(),
  tpm: z.number().int().nullable(),
  concurrency: z.number().int().nullable(),
  limits: z.object({ models: z.record(z.string(), limitSpecSchema).optional() }).nullable(),
})

const base = { tag: 'admin', auth: 'admin' } as const
export const adminKeyDocs = (): RouteDoc[] => [
  {
    ...base,
    method: 'put',
    path: '/api/key',
    summary: 'Create a client key (generated and shown once when apiKey is omitted)',
    body: createSchema,
    response: apiEnvelope(keyView),
    errors: apiErrors(400),
  },
  { ...base, method: 'post', path: '/api/key/update', summary: 'Update a client key', body: updateSchema, response: apiEnvelope(keyView), errors: apiErrors(400, 404) },
  { ...base, method: 'delete', path: '/api/key/{id}', summary: 'Delete a client key', params: idPath, response: apiEnvelope(), errors: apiErrors(400, 404) },
  { ...base, method: 'get', path: '/api/key/all', summary: 'List client keys (masked)', response: apiEnvelope(z.array(keyView)), errors: apiErrors() },
]

export const describeKey = (k: ClientKeyRow): z.infer<typeof keyView> => ({
  id: String(k.id),
  apiKey: `${k.prefix}…${k.suffix}`,
  remark: k.remark,
  enabled: k.enabled,
  expiresAt: k.expiresAt,
  allowedModels: k.allowedModels ?? null,
  userId: k.userId,
  actForOthers: k.actForOthers,
  createTime: timeString(k.createdAt),
  lastUsedTime: timeString(k.lastUsedAt),
  rpm: k.rpm,
  tpm: k.tpm,
  concurrency: k.concurrency,
  limits: k.limits ?? null,
})

export function adminKeyRoutes(s: Services) {
  const app = new Hono()

  app.put('/key', async (c) => {
    const body = await jsonBody(c, createSchema)
    const apiKey = body.apiKey ?? generateKey()
    const display = keyDisplay(apiKey)
    if (await findKeyByHash(s.db, display.keyHash)) throw new EnvelopeError(400, 'API-KEY already exists')
    const { apiKey: _omit, ...fields } = body
    const row = await insertKey(s.db, { ...display, ...fields })
    s.keys.invalidate()
    s.limiter.invalidate()
    // The full key is shown once, at creation; only its hash is stored.
    return ok(c, { ...describeKey(row), apiKey })
  })

  app.post('/key/update', async (c) => {
    const { id, apiKey, ...fields } = await jsonBody(c, updateSchema)
    const patch = { ...fields, ...(apiKey ? keyDisplay(apiKey) : {}) }
    if (apiKey) {
      const clash = await findKeyByHash(s.db, patch.keyHash!)
      if (clash && clash.id !== id) throw new EnvelopeError(400, 'API-KEY already exists')
    }
    const row = await updateKey(s.db, id, patch)
    if (!row) throw new EnvelopeError(404, `key ${id} not found`)
    s.keys.invalidate()
    s.limiter.invalidate()
    return ok(c, describeKey(row))
  })

  app.delete('/key/:id', async (c) => {
    if (!(await deleteKey(s.db, idParam(c)))) throw new EnvelopeError(404, 'key not found')
    s.keys.invalidate()
    s.limiter.invalidate()
    return ok(c)
  })

  app.get('/key/all', async (c) => ok(c, (await listKeys(s.db)).map(describeKey)))

  return app
}
