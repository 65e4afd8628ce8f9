// Seed 004's runtime configuration: GET /conf/get, POST /conf/update {type,key,value}, GET
// /command/get. Behind the admin secret; envelope {"code":0,"msg":"success","data":...}.
import { Hono } from 'hono'
import { z } from 'zod'
import { RuntimeConfigError } from '../core/runtime-config.js'
import type { Services } from '../services.js'
import { EnvelopeError, bodyOf, limitBody, seedFail, seedOk } from './envelope.js'
import { adminAuth } from './middleware/admin-auth.js'

const updateSchema = z.object({ type: z.string().trim().min(1, 'type is required'), key: z.string().trim().min(1, 'key is required'), value: z.unknown() })

export function confRoutes(s: Services) {
  const app = new Hono()
  const guards = [adminAuth(s.config.admin, seedFail), limitBody(s.config.admin.body_limit, seedFail)]
  app.use('/conf/*', ...guards)
  app.use('/command/*', ...guards)
  app.onError((err, c) => {
    if (err instanceof EnvelopeError) return seedFail(c, err.status, err.message)
    if (err instanceof RuntimeConfigError) return seedFail(c, 400, err.message)
    s.log.error(`conf API error: ${err.stack ?? err.message}`)
    return c.json({ code: 500, msg: 'internal error' }, 500)
  })

  app.get('/conf/get', (c) => seedOk(c, s.runtime.sections()))

  app.post('/conf/update', async (c) => {
    const body = await bodyOf(c, updateSchema, { forms: true })
    if (body.value === undefined) throw new EnvelopeError(400, 'value is required')
    const value = s.runtime.update(body.type, body.key, body.value)
    s.log.info(`runtime setting ${body.type}.${body.key} changed`)
    return seedOk(c, { type: body.type, key: body.key, value })
  })

  app.get('/command/get', (c) => seedOk(c, s.runtime.commandLine()))

  return app
}
