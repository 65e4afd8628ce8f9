// A real MCP server built with @modelcontextprotocol/sdk, for the relay's MCP client: served over
// streamable HTTP in-process (a bearer token required), or over stdio by mcp-stdio.ts. Tools:
// get_weather (what the fake 'agent' model calls first), fail (a tool error), slow (outlives a
// short timeout) and crash (the stdio process exits mid-call).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { z } from 'zod'

export const MCP_TOKEN = 'mcp-test-token'
/** The /mcp/update body that runs the stdio variant (mcp-stdio.ts) as a child process. */
export const STDIO_SERVER = { command: process.execPath, args: ['--import', 'tsx', fileURLToPath(new URL('./mcp-stdio.ts', import.meta.url))] }
export const weatherOf = (city: string) => `${city}: sunny, 23°C`

export function buildMcpServer(options: { onCrash?: () => void } = {}): McpServer {
  const server = new McpServer({ name: 'freeway-test-weather', version: '1.0.0' })
  server.registerTool(
    'get_weather',
    { description: 'The weather in a city now', inputSchema: { city: z.string().describe('City name') } },
    async ({ city }) => ({ content: [{ type: 'text', text: weatherOf(city) }] }),
  )
  server.registerTool('fail', { description: 'Always fails' }, async () => ({ content: [{ type: 'text', text: 'the weather station is offline' }], isError: true }))
  server.registerTool('slow', { description: 'Answers after two seconds' }, async () => {
    await new Promise((r) => setTimeout(r, 2000))
    return { content: [{ type: 'text', text: 'finally' }] }
  })
  if (options.onCrash) {
    const crash = options.onCrash
    server.registerTool('crash', { description: 'Exits the server process' }, async () => {
      crash()
      return { content: [] }
    })
  }
  return server
}

export interface McpHttpFake {
  url: string
  /** Requests refused for a missing or wrong token. */
  refused: number
  close(): Promise<void>
}

/** Stateless streamable HTTP: a fresh server and transport per request, as the SDK recommends. */
export async function startMcpHttp(): Promise<McpHttpFake> {
  const state = { refused: 0 }
  const http = createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${MCP_TOKEN}`) {
      state.refused++
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Unauthorized' }, id: null }))
      return
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end()
      return
    }
    const server = buildMcpServer()
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
    res.on('close', () => {
      void transport.close()
      void server.close()
    })
    await server.connect(transport)
    await transport.handleRequest(req, res)
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()))
  const { port } = http.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    get refused() {
      return state.refused
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}
