// Upstream credentials: the HixAI2Api /api/cookie routes plus Freeway's general /api/credential.
import { Hono } from 'hono'
import { z } from 'zod'
import {
  CredentialError,
  addCredential,
  editCredential,
  healAll,
  probeCredential,
  removeCredential,
  setEnabled,
} from '../core/credential-service.js'
import type { CredentialPool } from '../core/credential-pool.js'
import type { Credential } from '../db/credentials.repo.js'
import { mask } from '../kit/log.js'
import type { Services } from '../services.js'
import { EnvelopeError, apiEnvelope, apiErrors, idParam, idPath, idSchema, jsonBody, ok, parseInput, timeString } from './envelope.js'
import type { RouteDoc } from './route-doc.js'

const DEFAULT_PROVIDER = 'hixai-web'

const cookieBody = z.strictObject({
  cookie: z.string().min(1),
  remark: z.string().optional(),
  provider: z.string().default(DEFAULT_PROVIDER),
})
const credentialBody = z.strictObject({ provider: z.string().min(1), secret: z.string().min(1), remark: z.string().optional() })
const cookieUpdateBody = z.strictObject({ id: idSchema, cookie: z.string().min(1).optional(), remark: z.string().optional() })
const enableBody = z.strictObject({ enabled: z.boolean().default(true) })
const listQuery = z.object({ provider: z.string().optional().meta({ description: 'Only this provider’s credentials' }) })

const time = z.string().nullable().meta({ description: 'UTC, YYYY-MM-DD HH:MM:SS' })
const credentialView = z.object({
  id: z.string(),
  provider: z.string(),
  cookie: z.string().meta({ description: 'The secret, masked to its last 4 characters' }),
  remark: z.string(),
  source: z.enum(['admin', 'config']),
  status: z.enum(['active', 'cooling', 'invalid', 'disabled']),
  cooldownUntil: z.number().nullable(),
  failures: z.number().int(),
  lastError: z.string().nullable(),
  account: z.string().nullable(),
  credit: z.number().nullable(),
  advancedCredit: z.number().nullable(),
  subscribed: z.boolean().nullable(),
  verified: z.boolean(),
  coolingModels: z.array(z.object({ model: z.string(), failures: z.number().int(), until: time })),
  lastUsedTime: time,
  lastProbeTime: time,
  createTime: time,
})
const addedView = credentialView.extend({
  verifyError: z.string().optional().meta({ description: 'Why the probe could not run; the credential is kept unverified' }),
})
const probed = z.object({
  credential: credentialView,
  health: z
    .object({
      ok: z.boolean(),
      reason: z.string().optional(),
      account: z.string().optional(),
      credit: z.number().optional(),
      advancedCredit: z.number().optional(),
      subscribed: z.boolean().optional(),
    })
    .nullable(),
  error: z.string().nullable(),
})

const base = { tag: 'admin', auth: 'admin' } as const
const ADD = 'The upstream is probed first: a definite refusal is 422; a probe that cannot run keeps it with verified: false.'
export const adminCredentialDocs = (): RouteDoc[] => [
  {
    ...base,
    method: 'put',
    path: '/api/cookie',
    summary: 'Add an upstream credential (provider defaults to hixai-web)',
    description: ADD,
    body: cookieBody,
    response: apiEnvelope(addedView),
    errors: apiErrors(400, 409, 422),
  },
  {
    ...base,
    method: 'put',
    path: '/api/credential',
    summary: 'Add an upstream credential for any provider',
    description: ADD,
    body: credentialBody,
    response: apiEnvelope(addedView),
    errors: apiErrors(400, 409, 422),
  },
  {
    ...base,
    method: 'post',
    path: '/api/cookie/update',
    summary: 'Replace a credential secret or remark',
    body: cookieUpdateBody,
    response: apiEnvelope(credentialView),
    errors: apiErrors(400, 404, 409),
  },
  { ...base, method: 'delete', path: '/api/cookie/{id}', summary: 'Delete a credential', params: idPath, response: apiEnvelope(), errors: apiErrors(400, 404) },
  { ...base, method: 'delete', path: '/api/credential/{id}', summary: 'Delete a credential', params: idPath, response: apiEnvelope(), errors: apiErrors(400, 404) },
  {
    ...base,
    method: 'get',
    path: '/api/cookie/all',
    summary: 'List credentials (secrets masked)',
    query: listQuery,
    response: apiEnvelope(z.array(credentialView)),
    errors: apiErrors(),
  },
  {
    ...base,
    method: 'get',
    path: '/api/credential',
    summary: 'List credentials (secrets masked)',
    query: listQuery,
    response: apiEnvelope(z.array(credentialView)),
    errors: apiErrors(),
  },
  {
    ...base,
    method: 'post',
    path: '/api/cookie/credit/refresh',
    summary: 'Refresh credits of every credential in the background',
    response: apiEnvelope(),
    errors: apiErrors(),
  },
  {
    ...base,
    method: 'post',
    path: '/api/credential/{id}/probe',
    summary: 'Probe a credential now',
    params: idPath,
    response: apiEnvelope(probed),
    errors: apiErrors(400, 404),
  },
  {
    ...base,
    method: 'post',
    path: '/api/credential/{id}/enable',
    summary: 'Enable (or with {"enabled": false} disable) a credential',
    params: idPath,
    body: enableBody,
    response: apiEnvelope(credentialView),
    errors: apiErrors(400, 404),
  },
]

export const describeCredential = (c: Credential, pool: CredentialPool): z.infer<typeof credentialView> => ({
  id: String(c.id),
  provider: c.provider,
  cookie: mask(c.secret),
  remark: c.remark,
  source: c.source,
  status: c.status,
  cooldownUntil: c.cooldownUntil,
  failures: c.failures,
  lastError: c.lastError,
  account: c.account,
  credit: c.credit,
  advancedCredit: c.advancedCredit,
  subscribed: c.subscribed,
  /** The upstream has confirmed the credential (a probe or a served request). */
  verified: c.verified,
  /** Models it is cooling for after transient failures (the credential serves its other models). */
  coolingModels: pool.coolingModels(c.id).map((m) => ({ model: m.model, failures: m.failures, until: timeString(m.until) })),
  lastUsedTime: timeString(c.lastUsedAt),
  lastProbeTime: timeString(c.lastProbedAt),
  createTime: timeString(c.createdAt),
})

async function guarded<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work()
  } catch (err) {
    if (err instanceof CredentialError) throw new EnvelopeError(err.status, err.message)
    throw err
  }
}

export function adminCredentialRoutes(s: Services) {
  const app = new Hono()
  const describe = (c: Credential) => describeCredential(c, s.pool)
  const add = async (provider: string, secret: string, remark?: string): Promise<z.infer<typeof addedView>> => {
    const added = await guarded(() => addCredential(s, provider, secret, { remark: remark ?? '', verify: true }))
    return { ...describe(added.credential), ...(added.unverified ? { verifyError: added.unverified } : {}) }
  }

  app.put('/cookie', async (c) => {
    const body = await jsonBody(c, cookieBody)
    return ok(c, await add(body.provider, body.cookie, body.remark))
  })
  app.put('/credential', async (c) => {
    const body = await jsonBody(c, credentialBody)
    return ok(c, await add(body.provider, body.secret, body.remark))
  })

  app.post('/cookie/update', async (c) => {
    const body = await jsonBody(c, cookieUpdateBody)
    const edit = { ...(body.cookie ? { secret: body.cookie } : {}), ...(body.remark !== undefined ? { remark: body.remark } : {}) }
    return ok(c, describe(await guarded(() => editCredential(s, body.id, edit))))
  })

  const remove = (id: number) => guarded(() => removeCredential(s, id))
  app.delete('/cookie/:id', async (c) => {
    await remove(idParam(c))
    return ok(c)
  })
  app.delete('/credential/:id', async (c) => {
    await remove(idParam(c))
    return ok(c)
  })

  const list = (provider: string | undefined) => s.pool.store.all(provider).map(describe)
  const listed = (query: Record<string, string>) => list(parseInput(listQuery, query).provider)
  app.get('/cookie/all', (c) => ok(c, listed(c.req.query())))
  app.get('/credential', (c) => ok(c, listed(c.req.query())))

  app.post('/cookie/credit/refresh', (c) => {
    healAll(s, { all: true }).catch((err: unknown) => s.log.warn(`credit refresh failed: ${(err as Error).message}`))
    return ok(c)
  })
  app.post('/credential/:id/probe', async (c) => {
    const { credential, health, error } = await guarded(() => probeCredential(s, idParam(c)))
    const body: z.infer<typeof probed> = { credential: describe(credential), health: health ?? null, error: error ?? null }
    return ok(c, body)
  })
  app.post('/credential/:id/enable', async (c) => {
    const id = idParam(c)
    const { enabled } = await jsonBody(c, enableBody)
    return ok(c, describe(await guarded(() => setEnabled(s, id, enabled))))
  })

  return app
}
