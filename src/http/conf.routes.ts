// Seed 004's runtime configuration: GET /conf/get, POST /conf/update {type,key,value}, GET
// /command/get. Behind the admin secret; envelope {"code":0,"msg":"success","data":...}.
import { Hono } from 'hono'
import { z } from 'zod'
import { RuntimeConfigError, SECTIONS, sectionsSchema } from '../core/runtime-config.js'
import type { Services } from '../services.js'
import { EnvelopeError, bodyOf, limitBody, seedEnvelope, seedErrors, seedFail, seedOk } from './envelope.js'
import { adminAuth } from './middleware/admin-auth.js'
import type { RouteDoc } from './route-doc.js'

const updateSchema = z.object({
  type: z.string().trim().min(1, 'type is required').meta({ description: `The section: ${SECTIONS.join(', ')}` }),
  key: z.string().trim().min(1, 'key is required').meta({ description: 'A field of the section, as /conf/get lists them' }),
  // A form post sends strings: the field converts them ('4', 'false').
  value: z.unknown().refine((v) => v !== undefined, 'value is required'),
})

const base = { tag: 'admin', auth: 'admin' } as const
export const confDocs = (): RouteDoc[] => [
  { ...base, method: 'get', path: '/conf/get', summary: 'The runtime configuration, by section', response: seedEnvelope(sectionsSchema), errors: seedErrors() },
  {
    ...base,
    method: 'post',
    forms: true,
    path: '/conf/update',
    summary: 'Change one setting: applied at once and kept across restarts (fields read at start are refused)',
    body: updateSchema,
    response: seedEnvelope(z.object({ type: z.string(), key: z.string(), value: z.unknown().meta({ description: 'As applied (null: unset)' }) })),
    errors: seedErrors(400),
  },
  {
    ...base,
    method: 'get',
    path: '/command/get',
    summary: 'The settings that differ from their defaults, as -key=value arguments',
    response: seedEnvelope(z.string()),
    errors: seedErrors(),
  },
]

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
    const value = await s.runtime.update(body.type, body.key, body.value)
    s.log.info(`runtime setting ${body.type}.${body.key} changed`)
    return seedOk(c, { type: body.type, key: body.key, value })
  })

  app.get('/command/get', (c) => seedOk(c, s.runtime.commandLine()))

  return app
}
