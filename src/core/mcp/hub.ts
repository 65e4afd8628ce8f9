// The MCP servers the relay's agents may use, kept live: each enabled server has one client,
// connected at start and after every change; a client whose server died is reconnected on the next
// use. Tool calls never throw: a failure, a timeout or a crash becomes the tool's result text, so
// the model can read it and go on.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { Db } from '../../db/client.js'
import { deleteMcpServer, listMcpServers, saveMcpServer, setMcpDisabled } from '../../db/mcp.repo.js'
import type { SecretBox } from '../../db/secret-box.js'
import type { Logger } from '../../kit/log.js'
import { type McpServerConfig, type McpServerView, mcpServerSchema, shownConfig, toolName } from './server-config.js'
import { transportFor } from './transport.js'

/** Starting a server (a child process, a handshake) may take longer than one tool call may. */
const CONNECT_TIMEOUT_MS = 30_000

export interface McpTool {
  /** The name the model calls (server__tool). */
  name: string
  server: string
  /** The server's own name for it. */
  tool: string
  description: string
  inputSchema: Record<string, unknown>
}

interface Entry {
  config: McpServerConfig
  client: Client | undefined
  connecting: Promise<Client> | undefined
  tools: McpTool[]
  error: string | undefined
}

export class McpHub {
  private readonly servers = new Map<string, Entry>()

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly log: Logger,
    /** Read at each call (runtime configuration may change it). */
    private readonly toolTimeoutMs: () => number,
  ) {}

  /** Load the stored servers and connect the enabled ones (failures are kept as each server's error). */
  async start(): Promise<void> {
    for (const row of await listMcpServers(this.db)) {
      try {
        const config = mcpServerSchema.parse({ ...JSON.parse(this.box.open(row.configEnc)), disabled: row.disabled })
        this.servers.set(row.name, { config, client: undefined, connecting: undefined, tools: [], error: undefined })
      } catch (err) {
        // A config sealed with another secret key, or no longer valid: the others still start.
        this.log.error(`mcp ${row.name}: stored config unreadable: ${(err as Error).message}`)
      }
    }
    await Promise.all([...this.servers.keys()].map((name) => this.connect(name).catch(() => undefined)))
  }

  /** Every server with its shown config, status and tools. */
  describe(): Record<string, McpServerView> {
    const out: Record<string, McpServerView> = {}
    for (const [name, e] of this.servers) {
      const status = e.config.disabled ? 'disabled' : e.client ? 'connected' : e.error ? 'error' : 'idle'
      out[name] = { ...shownConfig(e.config), status, ...(e.error ? { error: e.error } : {}), tools: e.tools.map((t) => ({ name: t.name, description: t.description })) }
    }
    return out
  }

  has(name: string): boolean {
    return this.servers.has(name)
  }

  /** Store a server's config and apply it: the old client closes, an enabled server connects now. */
  async update(name: string, config: McpServerConfig): Promise<void> {
    await saveMcpServer(this.db, { name, configEnc: this.box.seal(JSON.stringify(config)), disabled: config.disabled })
    await this.close(name)
    this.servers.set(name, { config, client: undefined, connecting: undefined, tools: [], error: undefined })
    if (!config.disabled) await this.connect(name).catch(() => undefined)
  }

  async remove(name: string): Promise<boolean> {
    await this.close(name)
    this.servers.delete(name)
    return deleteMcpServer(this.db, name)
  }

  async disable(name: string, disabled: boolean): Promise<boolean> {
    const entry = this.servers.get(name)
    if (!entry || !(await setMcpDisabled(this.db, name, disabled))) return false
    await this.close(name)
    entry.config = { ...entry.config, disabled }
    entry.tools = []
    entry.error = undefined
    if (!disabled) await this.connect(name).catch(() => undefined)
    return true
  }

  /** Close every client and reconnect from the stored config. */
  async sync(): Promise<void> {
    await this.closeAll()
    this.servers.clear()
    await this.start()
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((name) => this.close(name)))
  }

  /** The tools of the enabled servers (a server that crashed keeps its list: calling reconnects it). */
  tools(): McpTool[] {
    return [...this.servers.values()].filter((e) => !e.config.disabled).flatMap((e) => e.tools)
  }

  /** Call a tool by its offered name; the answer, or what went wrong, as text for the model. */
  async call(name: string, args: unknown, signal?: AbortSignal): Promise<{ text: string; isError: boolean }> {
    const tool = this.tools().find((t) => t.name === name)
    if (!tool) return { text: `error: no tool named ${name} (the tools are: ${this.tools().map((t) => t.name).join(', ') || 'none'})`, isError: true }
    const timeout = this.toolTimeoutMs()
    try {
      const client = await this.connect(tool.server)
      const params = { name: tool.tool, arguments: (args && typeof args === 'object' ? args : {}) as Record<string, unknown> }
      const result = await client.callTool(params, undefined, { timeout, ...(signal ? { signal } : {}) })
      return { text: resultText(result.content), isError: result.isError === true }
    } catch (err) {
      const message = (err as Error).message ?? String(err)
      this.log.warn(`mcp ${tool.server}: ${tool.tool} failed: ${message}`)
      const timedOut = /timed out|timeout/i.test(message)
      return { text: timedOut ? `error: the tool ${name} timed out after ${timeout} ms` : `error: the tool ${name} failed: ${message}`, isError: true }
    }
  }

  private connect(name: string): Promise<Client> {
    const entry = this.servers.get(name)
    if (!entry) return Promise.reject(new Error(`no MCP server named ${name}`))
    if (entry.client) return Promise.resolve(entry.client)
    if (entry.connecting) return entry.connecting
    entry.connecting = (async () => {
      let opened: Client | undefined
      try {
        // Loaded on first use (see transport.ts).
        const { Client: McpClient } = await import('@modelcontextprotocol/sdk/client/index.js')
        const client = new McpClient({ name: 'freeway', version: '0.1.0' })
        opened = client
        await client.connect(await transportFor(entry.config), { timeout: CONNECT_TIMEOUT_MS })
        const listed = await client.listTools(undefined, { timeout: CONNECT_TIMEOUT_MS })
        entry.tools = listed.tools.map((t) => ({
          name: toolName(name, t.name),
          server: name,
          tool: t.name,
          description: t.description ?? '',
          inputSchema: t.inputSchema as Record<string, unknown>,
        }))
        // A server that exits (crash, killed) is connected again on its next use.
        client.onclose = () => {
          if (entry.client === client) entry.client = undefined
        }
        entry.client = client
        entry.error = undefined
        return client
      } catch (err) {
        entry.error = (err as Error).message
        this.log.warn(`mcp ${name}: cannot connect: ${entry.error}`)
        await opened?.close().catch(() => undefined)
        throw err
      } finally {
        entry.connecting = undefined
      }
    })()
    return entry.connecting
  }

  private async close(name: string): Promise<void> {
    const entry = this.servers.get(name)
    if (!entry) return
    const pending = entry.connecting
    const client = entry.client ?? (pending ? await pending.catch(() => undefined) : undefined)
    entry.client = undefined
    await client?.close().catch(() => undefined)
  }
}

/** MCP content blocks → text: text as is, other blocks named by their type. */
function resultText(content: unknown): string {
  if (!Array.isArray(content)) return ''
  return content
    .map((block: { type?: string; text?: string; resource?: { text?: string; uri?: string } }) => {
      if (block.type === 'text') return block.text ?? ''
      if (block.type === 'resource') return block.resource?.text ?? `[resource ${block.resource?.uri ?? ''}]`
      return `[${block.type ?? 'content'}]`
    })
    .join('\n')
}
