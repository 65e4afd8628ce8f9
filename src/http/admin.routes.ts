// The admin API under /api (the route prefix does not apply), HixAI2Api-compatible.
import { Hono } from 'hono'
import { z } from 'zod'
import { listUsage } from '../db/usage.repo.js'
import type { Services } from '../services.js'
import { adminConsoleRoutes } from './admin-console.routes.js'
import { adminCredentialRoutes } from './admin-credentials.routes.js'
import { adminKeyRoutes } from './admin-keys.routes.js'
import { EnvelopeError, apiFail, fail, limitBody, ok, parseInput } from './envelope.js'
import { adminAuth } from './middleware/admin-auth.js'

const usageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .positive()
    .default(100)
    .transform((n) => Math.min(n, 1000)),
  offset: z.coerce.number().int().nonnegative().default(0),
  provider: z.string().min(1).optional(),
  key_id: z.coerce.number().int().positive().optional(),
})

export function adminRoutes(s: Services) {
  const app = new Hono()
  app.use('*', adminAuth(s.config.admin, apiFail), limitBody(s.config.admin.body_limit, apiFail))
  app.onError((err, c) => {
    if (err instanceof EnvelopeError) return fail(c, err.status, err.message)
    s.log.error(`admin API error: ${err.stack ?? err.message}`)
    return fail(c, 500, 'internal error')
  })

  app.post('/auth/verify', (c) => ok(c))
  app.route('/', adminKeyRoutes(s))
  app.route('/', adminCredentialRoutes(s))
  app.route('/', adminConsoleRoutes(s))

  app.get('/usage', (c) => {
    s.recorder.flush()
    const q = parseInput(usageQuery, c.req.query())
    return ok(c, listUsage(s.db, { limit: q.limit, offset: q.offset, ...(q.provider ? { provider: q.provider } : {}), ...(q.key_id ? { clientKeyId: q.key_id } : {}) }))
  })

  return app
}
