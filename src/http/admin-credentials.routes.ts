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
import { EnvelopeError, idParam, idSchema, jsonBody, ok, timeString } from './envelope.js'

export const describeCredential = (c: Credential, pool: CredentialPool) => ({
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

const DEFAULT_PROVIDER = 'hixai-web'

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
  const add = async (provider: string, secret: string, remark?: string) => {
    const added = await guarded(() => addCredential(s, provider, secret, { remark: remark ?? '', verify: true }))
    return { ...describe(added.credential), ...(added.unverified ? { verifyError: added.unverified } : {}) }
  }

  app.put('/cookie', async (c) => {
    const body = await jsonBody(c, z.object({ cookie: z.string().min(1), remark: z.string().optional(), provider: z.string().default(DEFAULT_PROVIDER) }))
    return ok(c, await add(body.provider, body.cookie, body.remark))
  })
  app.put('/credential', async (c) => {
    const body = await jsonBody(c, z.object({ provider: z.string().min(1), secret: z.string().min(1), remark: z.string().optional() }))
    return ok(c, await add(body.provider, body.secret, body.remark))
  })

  app.post('/cookie/update', async (c) => {
    const body = await jsonBody(c, z.object({ id: idSchema, cookie: z.string().min(1).optional(), remark: z.string().optional() }))
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
  app.get('/cookie/all', (c) => ok(c, list(c.req.query('provider'))))
  app.get('/credential', (c) => ok(c, list(c.req.query('provider'))))

  app.post('/cookie/credit/refresh', (c) => {
    healAll(s, { all: true }).catch((err: unknown) => s.log.warn(`credit refresh failed: ${(err as Error).message}`))
    return ok(c)
  })
  app.post('/credential/:id/probe', async (c) => {
    const { credential, health, error } = await guarded(() => probeCredential(s, idParam(c)))
    return ok(c, { credential: describe(credential), health: health ?? null, error: error ?? null })
  })
  app.post('/credential/:id/enable', async (c) => {
    const id = idParam(c)
    const { enabled } = await jsonBody(c, z.object({ enabled: z.boolean().default(true) }))
    return ok(c, describe(await guarded(() => setEnabled(s, id, enabled))))
  })

  return app
}
