// The test MCP server over stdio: run as `node --import tsx test/fakes/mcp-stdio.ts`.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { buildMcpServer } from './mcp-server.js'

const server = buildMcpServer({ onCrash: () => process.exit(3) })
await server.connect(new StdioServerTransport())
