// GET /, /health, /openapi.json and the Swagger UI (docs.routes.ts).
import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { type Services, VERSION } from '../services.js'
import { docsRoutes } from './docs.routes.js'
import { type MountedRoute, buildOpenApi } from './openapi.js'

export function systemRoutes(s: Services, routes: () => readonly MountedRoute[]) {
  const app = new Hono()
  const prefix = s.config.server.route_prefix

  app.get('/', (c) =>
    c.json({
      name: 'freeway',
      version: VERSION,
      links: {
        openai: `${prefix}/v1`,
        models: `${prefix}/v1/models`,
        health: '/health',
        openapi: '/openapi.json',
        ...(s.config.server.swagger ? { docs: '/docs' } : {}),
      },
    }),
  )

  app.get('/health', (c) => {
    let database = 'ok'
    try {
      s.db.get(sql`select 1`)
    } catch (err) {
      database = `error: ${(err as Error).message}`
    }
    const healthy = database === 'ok'
    return c.json(
      { status: healthy ? 'ok' : 'degraded', version: VERSION, uptime_s: Math.round((Date.now() - s.startedAt) / 1000), database },
      healthy ? 200 : 503,
    )
  })

  app.get('/openapi.json', (c) => c.json(buildOpenApi(routes())))
  if (s.config.server.swagger) app.route('/', docsRoutes('/openapi.json'))
  return app
}
