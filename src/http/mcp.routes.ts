// Seed 004's MCP server admin: /mcp/get, /mcp/update, /mcp/delete, /mcp/disable, /mcp/sync.
// Behind the admin secret (a stdio server is a command the relay runs); envelope
// {"code":0,"msg":"success","data":...}. Every change is stored and applied at once.
import { Hono } from 'hono'
import { z } from 'zod'
import { mcpServerSchema, mcpServerView } from '../core/mcp/server-config.js'
import type { Services } from '../services.js'
import { EnvelopeError, limitBody, parseInput, readFields, seedEnvelope, seedErrors, seedFail, seedOk } from './envelope.js'
import { adminAuth } from './middleware/admin-auth.js'
import type { RouteDoc } from './route-doc.js'

const nameSchema = z.object({ name: z.string().trim().min(1, 'name is required').max(64).regex(/^[\w.-]+$/, 'name may contain letters, digits, _ . - only') })
const disableSchema = nameSchema.extend({ disable: z.enum(['0', '1', 'true', 'false'], { error: 'disable must be 1 or 0' }) })
/** The seed's clients may repeat the name in the body; the query's is the one used. */
const updateSchema = mcpServerSchema.safeExtend({ name: z.unknown().optional().meta({ description: "Ignored: the query's name is the one used" }) })

const servers = z.record(z.string(), mcpServerView)
const base = { tag: 'admin', auth: 'admin' } as const
export const mcpDocs = (): RouteDoc[] => [
  { ...base, method: 'get', path: '/mcp/get', summary: 'The MCP servers: config (secrets masked), status, tools', response: seedEnvelope(z.object({ McpServers: servers })), errors: seedErrors() },
  {
    ...base,
    method: 'post',
    path: '/mcp/update',
    summary: 'Add or replace an MCP server (stdio command, or streamable HTTP / SSE url) and connect it now',
    query: nameSchema,
    body: updateSchema,
    response: seedEnvelope(servers.meta({ description: 'The server under its name' })),
    errors: seedErrors(400),
  },
  { ...base, method: 'delete', path: '/mcp/delete', summary: 'Remove an MCP server', query: nameSchema, response: seedEnvelope(z.null()), errors: seedErrors(400, 404) },
  {
    ...base,
    method: 'post',
    path: '/mcp/disable',
    summary: 'Disable (1) or enable (0) an MCP server; its tools leave or rejoin the agents',
    query: disableSchema,
    response: seedEnvelope(servers.meta({ description: 'The server under its name' })),
    errors: seedErrors(400, 404),
  },
  { ...base, method: 'post', path: '/mcp/sync', summary: 'Reconnect every MCP server from the stored configs', response: seedEnvelope(z.object({ McpServers: servers })), errors: seedErrors() },
]

export function mcpRoutes(s: Services) {
  const app = new Hono()
  app.use('/mcp/*', adminAuth(s.config.admin, seedFail), limitBody(s.config.admin.body_limit, seedFail))
  app.onError((err, c) => {
    if (err instanceof EnvelopeError) return seedFail(c, err.status, err.message)
    s.log.error(`mcp API error: ${err.stack ?? err.message}`)
    return c.json({ code: 500, msg: 'internal error' }, 500)
  })

  const notFound = (name: string) => new EnvelopeError(404, `no MCP server named ${name}`)

  app.get('/mcp/get', (c) => seedOk(c, { McpServers: s.mcp.describe() }))

  app.post('/mcp/update', async (c) => {
    const { name } = parseInput(nameSchema, c.req.query())
    const { name: _repeated, ...config } = parseInput(updateSchema, await readFields(c))
    await s.mcp.update(name, config)
    return seedOk(c, { [name]: s.mcp.describe()[name] })
  })

  app.delete('/mcp/delete', async (c) => {
    const { name } = parseInput(nameSchema, c.req.query())
    if (!(await s.mcp.remove(name))) throw notFound(name)
    return seedOk(c)
  })

  app.post('/mcp/disable', async (c) => {
    const q = parseInput(disableSchema, c.req.query())
    if (!(await s.mcp.disable(q.name, q.disable === '1' || q.disable === 'true'))) throw notFound(q.name)
    return seedOk(c, { [q.name]: s.mcp.describe()[q.name] })
  })

  app.post('/mcp/sync', async (c) => {
    await s.mcp.sync()
    return seedOk(c, { McpServers: s.mcp.describe() })
  })

  return app
}
