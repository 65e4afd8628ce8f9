// The admin API under /api (the route prefix does not apply), HixAI2Api-compatible.
import { Hono } from 'hono'
import { listUsage } from '../db/usage.repo.js'
import type { Services } from '../services.js'
import { adminCredentialRoutes } from './admin-credentials.routes.js'
import { adminKeyRoutes } from './admin-keys.routes.js'
import { EnvelopeError, fail, ok } from './envelope.js'
import { adminAuth } from './middleware/admin-auth.js'

export function adminRoutes(s: Services) {
  const app = new Hono()
  app.use('*', adminAuth(s.config.admin.secret, (c, status, message) => fail(c, status, message)))
  app.onError((err, c) => {
    if (err instanceof EnvelopeError) return fail(c, err.status, err.message)
    s.log.error(`admin API error: ${err.message}`)
    return fail(c, 500, err.message)
  })

  app.post('/auth/verify', (c) => ok(c))
  app.route('/', adminKeyRoutes(s))
  app.route('/', adminCredentialRoutes(s))

  app.get('/usage', (c) => {
    s.recorder.flush()
    const limit = Math.min(Number(c.req.query('limit') ?? 100) || 100, 1000)
    const offset = Number(c.req.query('offset') ?? 0) || 0
    const provider = c.req.query('provider')
    const keyId = Number(c.req.query('key_id') ?? 0) || undefined
    return ok(c, listUsage(s.db, { limit, offset, ...(provider ? { provider } : {}), ...(keyId ? { clientKeyId: keyId } : {}) }))
  })

  return app
}
