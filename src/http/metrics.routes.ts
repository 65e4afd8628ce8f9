// GET /metrics: Prometheus text. Open to `Authorization: Bearer <metrics.token>` (a scraper's own
// token, so it need not hold the admin secret) or to whatever the admin API admits.
import { Hono } from 'hono'
import { safeEqual } from '../db/secret-box.js'
import type { Services } from '../services.js'
import { ApiError, openaiErrors } from './errors.js'
import { adminAuth } from './middleware/admin-auth.js'
import { bearerOf } from './middleware/client-auth.js'
import type { RouteDoc } from './route-doc.js'

export const metricsDocs = (): RouteDoc[] => [
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format); metrics.token as Bearer, or the admin secret',
    tag: 'system',
    auth: 'admin',
    text: 'Prometheus text exposition format 0.0.4',
    errors: openaiErrors(401, 403),
  },
]

export function metricsRoutes(s: Services) {
  const app = new Hono()
  const admin = adminAuth(s.config.admin, (c, status, message) => {
    const api = status === 401 ? ApiError.unauthorized(message) : new ApiError(403, message, 'permission_error', 'forbidden')
    return c.json(api.body(), status)
  })
  app.get('/metrics', async (c) => {
    const token = s.config.metrics.token
    const given = bearerOf(c.req.header('authorization'))
    if (!(token && given && safeEqual(given, token))) {
      const denied = await admin(c, async () => {})
      if (denied) return denied
    }
    const { text, contentType } = await s.metrics.scrape()
    return c.body(text, 200, { 'Content-Type': contentType })
  })
  return app
}
