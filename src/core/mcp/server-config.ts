// One MCP server's configuration as /mcp/update takes it: a command to run over stdio, or a URL
// spoken to over streamable HTTP (or the older SSE transport when `type: sse`).
import { z } from 'zod'

export const mcpServerSchema = z
  .strictObject({
    /** stdio with a command, http (streamable HTTP) or sse with a url; inferred when absent. */
    type: z.enum(['stdio', 'http', 'sse']).optional(),
    command: z.string().trim().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().min(1).optional(),
    url: z.url().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    description: z.string().default(''),
    disabled: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (!c.command === !c.url) ctx.addIssue({ code: 'custom', path: ['command'], message: 'give command (stdio) or url (streamable HTTP / SSE), one of them' })
    if (c.type === 'stdio' && !c.command) ctx.addIssue({ code: 'custom', path: ['command'], message: 'type stdio needs a command' })
    if ((c.type === 'http' || c.type === 'sse') && !c.url) ctx.addIssue({ code: 'custom', path: ['url'], message: `type ${c.type} needs a url` })
  })

export type McpServerConfig = z.infer<typeof mcpServerSchema>

export const transportOf = (c: McpServerConfig): 'stdio' | 'http' | 'sse' => c.type ?? (c.command ? 'stdio' : 'http')

const mask = (value: string) => (value.length <= 4 ? '****' : `****${value.slice(-4)}`)
const maskAll = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, mask(v)]))

const masked = z.record(z.string(), z.string()).meta({ description: 'Values masked to their last 4 characters' })

/** A server as the admin routes show it: its config (masked), its status and its tools. */
export const mcpServerView = z.strictObject({
  type: z.enum(['stdio', 'http', 'sse']),
  command: z.string().optional(),
  args: z.array(z.string()),
  env: masked,
  cwd: z.string().optional(),
  url: z.string().optional(),
  headers: masked,
  description: z.string(),
  disabled: z.boolean(),
  status: z.enum(['connected', 'idle', 'error', 'disabled']),
  /** Why the last connection failed. */
  error: z.string().optional(),
  tools: z.array(z.strictObject({ name: z.string().meta({ description: 'As offered to the model: server__tool' }), description: z.string() })),
})
export type McpServerView = z.infer<typeof mcpServerView>

/** The config as the admin routes show it: env values and headers may be keys, so only their last 4 characters show. */
export function shownConfig(c: McpServerConfig): Omit<McpServerView, 'status' | 'error' | 'tools'> {
  return { ...c, type: transportOf(c), env: maskAll(c.env), headers: maskAll(c.headers) }
}

/** OpenAI function names allow [a-zA-Z0-9_-]{1,64}: a tool is offered as server__tool. */
export function toolName(server: string, tool: string): string {
  return `${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64)
}
