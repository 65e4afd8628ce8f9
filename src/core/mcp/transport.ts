// The client transport for a server's config: a child process over stdio, or a URL.
// The SDK is loaded on the first connection, not at start: its modules hold ~25 MB of memory
// that a relay with no MCP server configured (most) should not pay for.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { type McpServerConfig, transportOf } from './server-config.js'

export async function transportFor(c: McpServerConfig): Promise<Transport> {
  const kind = transportOf(c)
  if (kind === 'stdio') {
    const { StdioClientTransport, getDefaultEnvironment } = await import('@modelcontextprotocol/sdk/client/stdio.js')
    return new StdioClientTransport({
      command: c.command!,
      args: c.args,
      // The SDK's safe defaults (PATH, HOME…) plus the server's own; the relay's secrets stay out.
      env: { ...getDefaultEnvironment(), ...c.env },
      ...(c.cwd ? { cwd: c.cwd } : {}),
      stderr: 'ignore',
    })
  }
  const requestInit = { headers: c.headers }
  if (kind === 'sse') {
    const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js')
    return new SSEClientTransport(new URL(c.url!), { requestInit })
  }
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js')
  return new StreamableHTTPClientTransport(new URL(c.url!), { requestInit })
}
