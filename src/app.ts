// createApp(services): mounts every route; no I/O at import time.
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { Services } from './services.js'
import { adminRoutes } from './http/admin.routes.js'
import type { AppEnv } from './http/app-env.js'
import { chatRoutes } from './http/chat.routes.js'
import { ApiError } from './http/errors.js'
import { clientAuth } from './http/middleware/client-auth.js'
import { modelRoutes } from './http/models.routes.js'
import { sessionRoutes } from './http/session.routes.js'
import { systemRoutes } from './http/system.routes.js'
import { userAdminRoutes } from './http/user-admin.routes.js'

export function createApp(s: Services) {
  const app = new Hono<AppEnv>()
  const prefix = s.config.server.route_prefix

  app.use('*', async (c, next) => {
    c.set('startedAt', performance.now())
    const requestId = c.req.header('x-request-id') || randomUUID()
    c.set('requestId', requestId)
    await next()
    c.res.headers.set('X-Request-Id', requestId)
  })
  if (s.config.server.cors) app.use('*', cors({ origin: '*', exposeHeaders: ['X-Request-Id', 'Server-Timing'] }))

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.body(), err.status as 400)
    s.log.error(`unhandled error: ${err.stack ?? err.message}`)
    return c.json(new ApiError(500, 'internal error', 'server_error', 'internal_error').body(), 500)
  })
  app.notFound((c) => c.json(ApiError.notFound(`no route for ${c.req.method} ${c.req.path}`).body(), 404))

  const openai = new Hono<AppEnv>()
  openai.use('*', clientAuth(s.keys, s.config.security.allow_anonymous))
  openai.route('/', chatRoutes(s))
  openai.route('/', modelRoutes(s))
  app.route(`${prefix}/v1`, openai)

  if (s.config.admin.enabled) app.route('/api', adminRoutes(s))
  // The seeds' compatibility routes sit at the root, like /api: their clients hard-code the paths.
  if (s.config.admin.enabled) app.route('/', userAdminRoutes(s))
  app.route('/', sessionRoutes(s, s.keys))
  app.route('/', systemRoutes(s, () => app.routes))
  return app
}
