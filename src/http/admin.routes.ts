// The admin API under /api (the route prefix does not apply), HixAI2Api-compatible.
import { Hono } from 'hono'
import { z } from 'zod'
import { type UsageRow, listUsage } from '../db/usage.repo.js'
import type { Services } from '../services.js'
import { adminConsoleRoutes } from './admin-console.routes.js'
import { adminCredentialRoutes } from './admin-credentials.routes.js'
import { adminKeyRoutes } from './admin-keys.routes.js'
import { EnvelopeError, apiEnvelope, apiErrors, apiFail, fail, limitBody, ok, parseInput } from './envelope.js'
import { adminAuth } from './middleware/admin-auth.js'
import type { RouteDoc } from './route-doc.js'

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

/** A usage row as stored (usage.repo.ts); the type check below keeps the two alike. */
const usageRow = z.object({
  id: z.number().int(),
  requestId: z.string(),
  clientRequestId: z.string().nullable(),
  createdAt: z.number().int().meta({ description: 'Epoch milliseconds' }),
  clientKeyId: z.number().int().nullable(),
  userId: z.string().nullable(),
  provider: z.string().nullable(),
  credentialId: z.number().int().nullable(),
  model: z.string().meta({ description: 'As the client named it' }),
  servedModel: z.string().nullable().meta({ description: 'The upstream model that served the request' }),
  stream: z.boolean(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  estimated: z.boolean(),
  latencyMs: z.number().int(),
  ttftMs: z.number().int().nullable(),
  status: z.number().int(),
  errorClass: z.string().nullable(),
  charged: z.number(),
})
const usageRows = (rows: UsageRow[]): z.infer<typeof usageRow>[] => rows

const base = { tag: 'admin', auth: 'admin' } as const
export const adminDocs = (): RouteDoc[] => [
  { ...base, method: 'post', path: '/api/auth/verify', summary: 'Check the admin secret', response: apiEnvelope(), errors: apiErrors() },
  {
    ...base,
    method: 'get',
    path: '/api/usage',
    summary: 'Usage records, newest first',
    query: usageQuery,
    response: apiEnvelope(z.array(usageRow)),
    errors: apiErrors(400),
  },
]

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

  app.get('/usage', async (c) => {
    await s.recorder.flush()
    const q = parseInput(usageQuery, c.req.query())
    return ok(c, usageRows(await listUsage(s.db, { limit: q.limit, offset: q.offset, ...(q.provider ? { provider: q.provider } : {}), ...(q.key_id ? { clientKeyId: q.key_id } : {}) })))
  })

  return app
}
