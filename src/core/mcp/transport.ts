// The client transport for a server's config: a child process over stdio, or a URL.
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { type McpServerConfig, transportOf } from './server-config.js'

export function transportFor(c: McpServerConfig): Transport {
  const kind = transportOf(c)
  if (kind === 'stdio') {
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
  if (kind === 'sse') return new SSEClientTransport(new URL(c.url!), { requestInit })
  return new StreamableHTTPClientTransport(new URL(c.url!), { requestInit })
}
