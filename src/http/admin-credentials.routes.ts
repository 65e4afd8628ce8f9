// Upstream credentials: the HixAI2Api /api/cookie routes plus Freeway's general /api/credential.
import { Hono } from 'hono'
import { z } from 'zod'
import {
  CredentialError,
  addCredential,
  healAll,
  instanceOf,
  normalizeSecret,
  probeCredential,
  setEnabled,
} from '../core/credential-service.js'
import { type Credential, deleteCredential, findDuplicate, listCredentials, updateCredential } from '../db/credentials.repo.js'
import { mask } from '../kit/log.js'
import type { Services } from '../services.js'
import { EnvelopeError, idParam, idSchema, jsonBody, ok, timeString } from './envelope.js'

export const describeCredential = (c: Credential) => ({
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
  const add = (provider: string, secret: string, remark?: string) =>
    guarded(() => addCredential(s, provider, secret, { remark: remark ?? '', verify: true }))

  app.put('/cookie', async (c) => {
    const body = await jsonBody(c, z.object({ cookie: z.string().min(1), remark: z.string().optional(), provider: z.string().default(DEFAULT_PROVIDER) }))
    return ok(c, describeCredential(await add(body.provider, body.cookie, body.remark)))
  })
  app.put('/credential', async (c) => {
    const body = await jsonBody(c, z.object({ provider: z.string().min(1), secret: z.string().min(1), remark: z.string().optional() }))
    return ok(c, describeCredential(await add(body.provider, body.secret, body.remark)))
  })

  app.post('/cookie/update', async (c) => {
    const body = await jsonBody(c, z.object({ id: idSchema, cookie: z.string().min(1).optional(), remark: z.string().optional() }))
    const current = s.pool.find(body.id)
    if (!current) throw new EnvelopeError(404, `credential ${body.id} not found`)
    const patch: { secret?: string; remark?: string } = {}
    if (body.remark !== undefined) patch.remark = body.remark
    if (body.cookie) {
      const secret = await guarded(() => normalizeSecret(instanceOf(s, current.provider), body.cookie!))
      const dup = findDuplicate(s.db, current.provider, secret)
      if (dup && dup.id !== body.id) throw new EnvelopeError(409, 'this credential already exists')
      patch.secret = secret
    }
    updateCredential(s.db, s.box, body.id, patch)
    s.pool.invalidate(current.provider)
    const result = body.cookie ? (await guarded(() => probeCredential(s, body.id))).credential : s.pool.find(body.id)!
    return ok(c, describeCredential(result))
  })

  const remove = (id: number) => {
    const current = s.pool.find(id)
    if (!current || !deleteCredential(s.db, id)) throw new EnvelopeError(404, `credential ${id} not found`)
    s.pool.invalidate(current.provider)
  }
  app.delete('/cookie/:id', (c) => {
    remove(idParam(c))
    return ok(c)
  })
  app.delete('/credential/:id', (c) => {
    remove(idParam(c))
    return ok(c)
  })

  const list = (provider: string | undefined) => {
    s.pool.flushTouches()
    return listCredentials(s.db, s.box, provider).map(describeCredential)
  }
  app.get('/cookie/all', (c) => ok(c, list(c.req.query('provider'))))
  app.get('/credential', (c) => ok(c, list(c.req.query('provider'))))

  app.post('/cookie/credit/refresh', (c) => {
    healAll(s, { all: true }).catch((err: unknown) => s.log.warn(`credit refresh failed: ${(err as Error).message}`))
    return ok(c)
  })
  app.post('/credential/:id/probe', async (c) => {
    const { credential, health, error } = await guarded(() => probeCredential(s, idParam(c)))
    return ok(c, { credential: describeCredential(credential), health: health ?? null, error: error ?? null })
  })
  app.post('/credential/:id/enable', async (c) => {
    const { enabled } = await jsonBody(c, z.object({ enabled: z.boolean().default(true) }))
    return ok(c, describeCredential(await guarded(() => setEnabled(s, idParam(c), enabled))))
  })

  return app
}
