// What the console's overview and model pages read that the other admin routes do not give:
// GET /api/stats (24 h of traffic, credentials by status, top users and models) and
// GET /api/models (every routable model with its providers, suffixes, kind and price).
import { Hono } from 'hono'
import { z } from 'zod'
import { hourlyTraffic, topBy } from '../db/stats.repo.js'
import type { Services } from '../services.js'
import { apiEnvelope, apiErrors, ok, parseInput } from './envelope.js'
import type { RouteDoc } from './route-doc.js'

const HOUR_MS = 3_600_000
const statsQuery = z.object({ hours: z.coerce.number().int().min(1).max(24 * 31).default(24), top: z.coerce.number().int().min(1).max(100).default(5) })

const ranked = z.object({ name: z.string(), requests: z.number().int(), tokens: z.number() })
const statsView = z.object({
  since: z.number().int().meta({ description: 'Epoch milliseconds' }),
  until: z.number().int(),
  hourly: z.array(
    z.object({
      hour: z.number().int().meta({ description: 'Start of the hour, epoch milliseconds' }),
      requests: z.number().int(),
      promptTokens: z.number(),
      completionTokens: z.number(),
      errors: z.number().int().meta({ description: 'Answers with a status of 400 or more' }),
    }),
  ),
  credentials: z.record(z.string(), z.record(z.string(), z.number().int())).meta({ description: 'provider → status → count' }),
  topUsers: z.array(ranked),
  topModels: z.array(ranked),
})
const price = z.object({ prompt: z.number(), completion: z.number(), per_call: z.number(), per_image: z.number(), per_second: z.number() }).partial().nullable()
const modelsView = z.object({
  models: z.array(z.object({ id: z.string(), providers: z.array(z.string()), suffixes: z.array(z.string()), kind: z.string(), price })),
  routes: z.array(z.object({ name: z.string(), route: z.unknown(), price })),
  aliases: z.array(z.object({ name: z.string(), target: z.string() })),
})

const base = { tag: 'admin', auth: 'admin' } as const
export const adminConsoleDocs = (): RouteDoc[] => [
  { ...base, method: 'get', path: '/api/stats', summary: 'Traffic per hour, credentials by status, top users and models', query: statsQuery, response: apiEnvelope(statsView), errors: apiErrors(400) },
  { ...base, method: 'get', path: '/api/models', summary: 'Every routable model with its providers, suffixes, kind and price', response: apiEnvelope(modelsView), errors: apiErrors() },
]

export function adminConsoleRoutes(s: Services) {
  const app = new Hono()

  app.get('/stats', async (c) => {
    const q = parseInput(statsQuery, c.req.query())
    await s.recorder.flush() // rows still in the batch writer count too
    const until = Date.now()
    const since = until - q.hours * HOUR_MS
    const credentials: Record<string, Record<string, number>> = {}
    for (const provider of s.instances.keys()) {
      const counts: Record<string, number> = {}
      for (const cred of s.pool.entries(provider)) counts[cred.status] = (counts[cred.status] ?? 0) + 1
      // Providers without a stored credential (most, on a fresh install) would only be noise.
      if (Object.keys(counts).length) credentials[provider] = counts
    }
    return ok(c, {
      since,
      until,
      hourly: await hourlyTraffic(s.db, since, until),
      credentials,
      topUsers: await topBy(s.db, 'user', since, q.top),
      topModels: await topBy(s.db, 'model', since, q.top),
    })
  })

  app.get('/models', (c) => {
    const { models, routes, aliases } = s.router.catalog()
    const prices = s.config.billing.prices
    return ok(c, {
      models: models.map((m) => ({ ...m, price: prices[m.id] ?? null })),
      routes: Object.entries(routes).map(([name, route]) => ({ name, route, price: prices[name] ?? null })),
      aliases: Object.entries(aliases).map(([name, target]) => ({ name, target })),
    })
  })

  return app
}
