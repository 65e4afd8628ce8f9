// The Coze chatbot API shape at the root: POST /chat, POST /chat/stream, GET /session/:id/info,
// POST /session/:id/clear. Errors are {"detail": "..."} (plus the OpenAI error object).
import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import type { ClientKeys } from '../core/client-keys.js'
import type { SessionRow } from '../db/sessions.repo.js'
import type { Services } from '../services.js'
import type { AppEnv } from './app-env.js'
import { ApiError } from './errors.js'
import { clientAuth } from './middleware/client-auth.js'
import { streamTurn } from './session-stream.js'
import { abandonTurn, completeTurn, detail, owned, startTurn, userOf } from './session-turn.js'

function describeSession(s: Services, row: SessionRow) {
  return {
    session_id: row.sessionId,
    user_id: row.userId,
    conversation_id: row.conversationId,
    last_activity: new Date(row.lastActivity).toISOString(),
    message_count: row.messages.length,
    status: s.sessions.status(row),
  }
}

export function sessionRoutes(s: Services, keys: ClientKeys) {
  const app = new Hono<AppEnv>()
  const auth = clientAuth(keys, s.config.security.allow_anonymous)
  for (const path of ['/chat', '/chat/stream', '/session/*']) app.use(path, auth)
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json({ detail: err.message, ...err.body() }, err.status as 400)
    s.log.error(`session route error: ${(err as Error).stack ?? err}`)
    return c.json({ detail: 'internal error' }, 500)
  })

  app.post('/chat', async (c) => {
    const turn = await startTurn(s, c, false)
    try {
      for await (const _ of turn.relay.events()) {
        // The tally gathers the answer; nothing is sent until it is complete.
      }
    } catch (err) {
      const api = abandonTurn(s, turn, err, false)
      if (!api) return c.body(null, 499 as 200)
      throw api
    }
    const { row } = completeTurn(s, turn)
    return c.json({
      response: turn.relay.tally.text,
      session_id: row.sessionId,
      message_id: randomUUID(),
      timestamp: new Date().toISOString(),
      conversation_id: row.conversationId,
    })
  })

  app.post('/chat/stream', async (c) => streamTurn(s, c, await startTurn(s, c, true)))

  app.get('/session/:id/info', (c) => {
    const row = s.sessions.get(c.req.param('id'))
    if (!owned(c, row, userOf(c, c.req.query('user_id')))) throw detail(404, 'session not found', 'session_not_found')
    return c.json(describeSession(s, row))
  })

  app.post('/session/:id/clear', (c) => {
    const row = s.sessions.get(c.req.param('id'))
    if (!owned(c, row, userOf(c, c.req.query('user_id')))) throw detail(404, 'session not found', 'session_not_found')
    if (s.sessions.status(row) === 'busy') throw detail(409, 'session is answering a message; clear it afterwards', 'session_busy')
    s.sessions.clear(row.sessionId)
    return c.json({ message: 'session cleared', session_id: row.sessionId, cleared_at: new Date().toISOString() })
  })

  return app
}
