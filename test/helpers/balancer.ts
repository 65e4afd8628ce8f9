// A small loopback load balancer for tests of several instances: each new request goes to the next
// backend in turn (round robin), bodies stream through both ways, and it remembers which backend
// took each request (also told to the client in `x-balancer-backend`, its index).
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Routed {
  backend: number
  method: string
  path: string
  /** The backend's answer status, once it answered. */
  status?: number
}

export interface Balancer {
  url: string
  /** Every request forwarded, in arrival order. */
  routed: Routed[]
  /** How many requests for this path (query left out) went to each backend, optionally only those answered with this status. */
  countsFor(path: string, status?: (status: number | undefined) => boolean): number[]
  close(): Promise<void>
}

export async function startBalancer(backends: readonly string[]): Promise<Balancer> {
  let turn = 0
  const routed: Routed[] = []
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const backend = turn++ % backends.length
    const target = new URL(req.url ?? '/', backends[backend])
    const entry: Routed = { backend, method: req.method ?? 'GET', path: target.pathname }
    routed.push(entry)
    const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      entry.status = answer.statusCode
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-balancer-backend': String(backend) })
      answer.pipe(res)
    })
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`balancer: backend ${backend} failed: ${err.message}`)
    })
    // A client that leaves takes the backend request with it, as a real balancer's would.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  }
  const server: Server = createServer(forward)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    countsFor: (path, status = () => true) => backends.map((_, i) => routed.filter((r) => r.backend === i && r.path === path && status(r.status)).length),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
