// GET /session/:id/info and POST /session/:id/clear: views of a chat session (no turn runs here).
import { Hono } from 'hono'
import type { ChatService } from '../../../core/chat/service.js'
import type { SessionRow } from '../../../db/sessions.repo.js'
import type { Logger } from '../../../kit/log.js'
import type { AppEnv } from '../../app-env.js'
import type { ClientKeys } from '../../../core/client-keys.js'
import { clientAuth } from '../../middleware/client-auth.js'
import { sessionError } from './chat.js'

export function sessionRoutes(chat: ChatService, keys: ClientKeys, allowAnonymous: boolean, log: Logger) {
  const app = new Hono<AppEnv>()
  app.use('/session/*', clientAuth(keys, allowAnonymous))
  app.onError((err, c) => {
    const e = sessionError(err, log)
    return c.json(e.body, e.status as 400)
  })

  const describe = (row: SessionRow) => ({
    session_id: row.sessionId,
    user_id: row.userId,
    conversation_id: row.conversationId,
    last_activity: new Date(row.lastActivity).toISOString(),
    message_count: row.messages.length,
    status: chat.sessionStatus(row),
  })

  app.get('/session/:id/info', (c) => c.json(describe(chat.session(c.req.param('id'), c.get('client'), c.req.query('user_id')))))

  app.post('/session/:id/clear', (c) => {
    const row = chat.clearSession(c.req.param('id'), c.get('client'), c.req.query('user_id'))
    return c.json({ message: 'session cleared', session_id: row.sessionId, cleared_at: new Date().toISOString() })
  })

  return app
}
