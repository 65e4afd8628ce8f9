// GET /, /health, /openapi.json and the Swagger UI (docs.routes.ts).
import { ping } from '../db/dialect.js'
import { Hono } from 'hono'
import { z } from 'zod'
import { type Services, VERSION } from '../services.js'
import { docsRoutes } from './docs.routes.js'
import { openaiErrors } from './errors.js'
import type { RouteDoc } from './route-doc.js'

const rootSchema = z.object({
  name: z.literal('freeway'),
  version: z.string(),
  links: z.object({ openai: z.string(), models: z.string(), health: z.string(), openapi: z.string(), docs: z.string().optional() }),
})
const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptime_s: z.number().int(),
  database: z.string().meta({ description: '"ok", or "error: " and the reason' }),
})

export const systemDocs = (): RouteDoc[] => [
  { method: 'get', path: '/', summary: 'Name, version, links', tag: 'system', auth: 'none', response: rootSchema, errors: openaiErrors() },
  {
    method: 'get',
    path: '/health',
    summary: 'Liveness: status, version, uptime, database (503 with the same body when the database fails)',
    tag: 'system',
    auth: 'none',
    response: healthSchema,
    errors: { name: 'Health', schema: healthSchema, statuses: [503] },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document, generated from the schemas the routes validate with',
    tag: 'system',
    auth: 'none',
    response: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }),
    errors: openaiErrors(),
  },
]

/** `openapi` builds the document (openapi.ts); the app passes it, since it knows every route. */
export function systemRoutes(s: Services, openapi: () => Promise<unknown>) {
  const app = new Hono()
  const prefix = s.config.server.route_prefix

  app.get('/', (c) => {
    const body: z.infer<typeof rootSchema> = {
      name: 'freeway',
      version: VERSION,
      links: {
        openai: `${prefix}/v1`,
        models: `${prefix}/v1/models`,
        health: '/health',
        openapi: '/openapi.json',
        ...(s.config.server.swagger ? { docs: '/docs' } : {}),
      },
    }
    return c.json(body)
  })

  app.get('/health', async (c) => {
    let database = 'ok'
    try {
      await ping(s.db)
    } catch (err) {
      database = `error: ${(err as Error).message}`
    }
    const healthy = database === 'ok'
    const body: z.infer<typeof healthSchema> = {
      status: healthy ? 'ok' : 'degraded',
      version: VERSION,
      uptime_s: Math.round((Date.now() - s.startedAt) / 1000),
      database,
    }
    return c.json(body, healthy ? 200 : 503)
  })

  // Built on first request, once: the mounted routes do not change after the app is built.
  let document: Promise<unknown> | undefined
  app.get('/openapi.json', async (c) => {
    // A failed build is not kept: the next request tries again.
    document ??= openapi().catch((err: unknown) => {
      document = undefined
      throw err
    })
    return c.json((await document) as object)
  })
  if (s.config.server.swagger) app.route('/', docsRoutes('/openapi.json'))
  return app
}
