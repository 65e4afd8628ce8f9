// Start a node:http server on an ephemeral loopback port for a fake upstream.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RunningServer {
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => unknown

export async function startServer(handler: Handler): Promise<RunningServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: String(err) } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

export async function readJson<T = Record<string, unknown>>(req: IncomingMessage): Promise<T> {
  const raw = (await readBody(req)).toString('utf8')
  return (raw ? JSON.parse(raw) : {}) as T
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

/** Base for class-shaped fakes: owns the loopback server; subclasses implement handle(). */
export abstract class FakeUpstream {
  server!: RunningServer

  get url(): string {
    return this.server.url
  }

  async start(): Promise<this> {
    this.server = await startServer((req, res) => this.handle(req, res))
    return this
  }

  close(): Promise<void> {
    return this.server.close()
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<unknown> | unknown
}
