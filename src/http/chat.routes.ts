// POST /v1/chat/completions on the hono app. Under Node the fast lane (fast-lane.ts) answers this
// path before hono sees it; this route serves app.fetch elsewhere (tests, other runtimes).
import { Hono } from 'hono'
import type { Services } from '../services.js'
import type { AppEnv } from './app-env.js'
import { readJsonBody } from './body.js'
import { handleChat } from './chat-handler.js'
import { clientSignal, factsOf } from './exchange.js'
import { sseResponse } from './sse-response.js'

export function chatRoutes(s: Services) {
  const app = new Hono<AppEnv>()
  app.post('/chat/completions', async (c) => {
    const raw = await readJsonBody(c, s.config.server.body_limit)
    const reply = await handleChat(s, factsOf(c), raw, clientSignal(c))
    if (reply.kind === 'closed') return c.body(null, 499 as 200)
    if (reply.kind === 'json') return c.json(reply.body, reply.status as 200, reply.headers)
    return sseResponse(c, reply.options)
  })
  return app
}
