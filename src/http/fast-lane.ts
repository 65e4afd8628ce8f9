// The hot path without the framework: the doors' POST routes (chat completions above all) are
// answered straight from Node's request and response; every other request goes on to the hono
// app. hono's request and context objects, middleware chain and Response conversion cost about
// 0.05 ms per request, a fifth of the relay's CPU budget, on the routes that carry nearly all the
// traffic. The hono app mounts the same doors (doors/mount.ts), so behaviour cannot drift.
import { type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { performance } from 'node:perf_hooks'
import { getRequestListener } from '@hono/node-server'
import type { Logger } from '../kit/log.js'
import { type Door, type Reply, closedLine } from './doors/door.js'
import { type InFlight, abortOnClose } from './exchange.js'
import { type PrepareOptions, prepareNode, requestIds } from './prepare.js'
import { streamToNode, withBaseHeaders } from './sse-response.js'

export interface DoorServing {
  doors: readonly Door[]
  routePrefix: string
  prepare: PrepareOptions
  log: Logger
  /** Door requests running now (see InFlight). */
  inflight: InFlight
  /** Headers every response carries (request id, CORS). */
  baseHeaders(requestId: string): Record<string, string>
}

export interface ServableApp {
  fetch: (request: Request, env: never) => Response | Promise<Response>
  serving: DoorServing
  /** The WebSocket routes, served from the same port through HTTP upgrades. */
  sockets?: { upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void }
}

/** Listen with the app behind the fast lane (node-server's serve(), plus the lane). */
export function serveApp(
  app: ServableApp,
  where: { port: number; hostname: string; onRequest?: () => () => void },
  onListening?: (address: AddressInfo) => void,
): Server {
  const lane = fastLane(app.serving, getRequestListener(app.fetch as never, { hostname: where.hostname }))
  const { onRequest } = where
  const listener: RequestListener = onRequest
    ? (req, res) => {
        res.once('close', onRequest()) // 'close' comes once a response is over, finished or not
        lane(req, res)
      }
    : lane
  const server = createServer(listener)
  if (app.sockets) server.on('upgrade', app.sockets.upgrade)
  server.listen(where.port, where.hostname, () => onListening?.(server.address() as AddressInfo))
  return server
}

function fastLane(serving: DoorServing, honoListener: RequestListener): RequestListener {
  const routes = new Map<string, Door>()
  for (const door of serving.doors) routes.set((door.prefixed ? serving.routePrefix : '') + door.path, door)
  return (req, res) => {
    if (req.method === 'POST') {
      const url = req.url ?? ''
      const query = url.indexOf('?')
      const door = routes.get(query < 0 ? url : url.slice(0, query))
      if (door) return void serveDoor(serving, door, req, res)
    }
    honoListener(req, res)
  }
}

function sendJson(res: ServerResponse, status: number, base: Record<string, string>, body: unknown, extra?: Record<string, string>): void {
  const json = JSON.stringify(body)
  res.writeHead(status, { ...base, ...extra, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(json)) })
  res.end(json)
}

function render(res: ServerResponse, base: Record<string, string>, reply: Reply): void {
  if (reply.kind === 'json') sendJson(res, reply.status, base, reply.body, reply.headers)
  else if (reply.kind === 'text') {
    res.writeHead(reply.status, { ...base, 'Content-Type': reply.type, 'Content-Length': String(Buffer.byteLength(reply.body)) })
    res.end(reply.body)
  }  else if (reply.kind === 'sse') streamToNode(res, withBaseHeaders(reply.options, base))
  else if (!res.headersSent && !res.destroyed) {
    res.statusCode = 499
    res.end()
  }
}

async function serveDoor(serving: DoorServing, door: Door, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const startedAt = performance.now()
  const ids = requestIds(req.headers['x-request-id'] as string | undefined)
  const base = serving.baseHeaders(ids.visible)
  try {
    // base receives the rate-limit headers, so the answer and any error carry them.
    const prepared = await prepareNode(serving.prepare, req, ids, startedAt, door, base)
    if (prepared.release) res.once('close', prepared.release)
    const reply = await door.handle(prepared, abortOnClose(res, serving.inflight))
    if (reply.kind === 'closed') serving.log.info(closedLine(door.path, ids.requestId), { requestId: ids.requestId })
    render(res, base, reply)
  } catch (err) {
    const e = door.error(err)
    if (res.headersSent || res.destroyed) return
    // An unread body (too large, or refused before reading) must not be parsed as the next request.
    if (!req.complete) res.shouldKeepAlive = false
    sendJson(res, e.status, base, e.body, e.headers)
  }
}
