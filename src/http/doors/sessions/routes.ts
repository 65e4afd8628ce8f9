// GET /session/:id/info and POST /session/:id/clear: views of a chat session (no turn runs here).
import { Hono } from 'hono'
import type { z } from 'zod'
import type { ChatService } from '../../../core/chat/service.js'
import type { SessionRow } from '../../../db/sessions.repo.js'
import type { Logger } from '../../../kit/log.js'
import type { AppEnv } from '../../app-env.js'
import type { ClientKeys } from '../../../core/client-keys.js'
import { clientAuth } from '../../middleware/client-auth.js'
import { openaiQuery } from '../../query.js'
import { sessionError } from './chat.js'
import { type sessionClearedSchema, type sessionInfoSchema, sessionParams, sessionQuery } from './schemas.js'

export function sessionRoutes(chat: ChatService, keys: ClientKeys, allowAnonymous: boolean, log: Logger) {
  const app = new Hono<AppEnv>()
  app.use('/session/*', clientAuth(keys, allowAnonymous))
  app.onError((err, c) => {
    const e = sessionError(err, log)
    return c.json(e.body, e.status as 400)
  })

  const describe = (row: SessionRow): z.infer<typeof sessionInfoSchema> => ({
    session_id: row.sessionId,
    user_id: row.userId,
    conversation_id: row.conversationId,
    last_activity: new Date(row.lastActivity).toISOString(),
    message_count: row.messages.length,
    status: chat.sessionStatus(row),
  })

  const target = (c: { req: { param(): Record<string, string>; query(): Record<string, string> } }) => ({
    id: openaiQuery(sessionParams, c.req.param()).id,
    userId: openaiQuery(sessionQuery, c.req.query()).user_id,
  })

  app.get('/session/:id/info', async (c) => {
    const { id, userId } = target(c)
    return c.json(describe(await chat.session(id, c.get('client'), userId)))
  })

  app.post('/session/:id/clear', async (c) => {
    const { id, userId } = target(c)
    const row = await chat.clearSession(id, c.get('client'), userId)
    const body: z.infer<typeof sessionClearedSchema> = { message: 'session cleared', session_id: row.sessionId, cleared_at: new Date().toISOString() }
    return c.json(body)
  })

  return app
}
