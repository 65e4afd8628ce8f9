// The WebSocket side of the server: one `ws` server without a port of its own, fed the Node
// server's upgrade requests. Routes admit (or refuse) a request and then own the socket; the hub
// does what every socket needs: the per-user connection limit, the server's pings (a socket that
// missed the last one is closed), and closing everything at shutdown. A route is a path plus
// admit(), so the chat sockets and a later progress socket plug in the same way.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { RawData, WebSocket, WebSocketServer } from 'ws'
import type { z } from 'zod'
import type { Logger } from '../../kit/log.js'
import { OPEN, sendNow } from './send.js'

/** Why a socket is not served: sent as an error message, then the socket closes. */
export class SocketRefusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

export interface Admission {
  /** Whose connection this is, for realtime.max_connections_per_user. */
  owner: string
  /** The socket is open: the route takes it over. */
  open(ws: WebSocket): void
}

export interface SocketRoute {
  path: string
  /** Who is asking, checked before the socket is used; throws SocketRefusal. */
  admit(req: IncomingMessage, url: URL): Admission | Promise<Admission>
}

export interface HubOptions {
  /** Read on each use, so a runtime change applies to the next socket and the next ping. */
  limits(): { maxPerOwner: number; pingMs: number }
  log: Logger
}

/** Every error the sockets send has this shape (the seed's). */
export const errorMessage = (code: number, msg: string) => JSON.stringify({ type: 'error', data: { code, msg } })

/** A client message read with the socket's schema; a bad one is answered with a 400 (its shape named) and gives undefined. */
export function readMessage<S extends z.ZodType>(ws: WebSocket, raw: RawData, isBinary: boolean, schema: S, shape: string): z.infer<S> | undefined {
  try {
    const parsed = schema.safeParse(isBinary ? undefined : JSON.parse(raw.toString()))
    if (parsed.success) return parsed.data
    sendNow(ws, errorMessage(400, parsed.error.issues[0]!.message))
  } catch {
    sendNow(ws, errorMessage(400, `messages are JSON text: ${shape}`))
  }
  return undefined
}

export class SocketHub {
  /** The `ws` server, made on the first upgrade (relay-socket.ts). */
  private wss: WebSocketServer | undefined
  private loading: Promise<WebSocketServer> | undefined
  private readonly routes = new Map<string, SocketRoute>()
  private readonly owners = new Map<string, number>()
  private readonly missedPong = new WeakSet<WebSocket>()
  private timer: NodeJS.Timeout | undefined
  private pingMs = 0

  constructor(
    routes: readonly SocketRoute[],
    private readonly o: HubOptions,
  ) {
    for (const route of routes) this.routes.set(route.path, route)
  }

  get paths(): string[] {
    return [...this.routes.keys()]
  }

  /** Node's 'upgrade' listener. */
  upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const route = this.routes.get(url.pathname)
    if (!route) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    // Admitted before the upgrade (a key may be looked up in the database): the client sends
    // nothing until it has the 101, so no message can arrive before the route listens.
    Promise.all([this.admit(route, req, url), this.server()]).then(
      ([admission, wss]) => wss.handleUpgrade(req, socket, head, (ws) => this.serve(route, ws, admission)),
      (err: unknown) => {
        this.o.log.error(`socket ${route.path}: ${(err as Error).stack ?? err}`)
        socket.destroy()
      },
    )
  }

  private server(): Promise<WebSocketServer> {
    this.loading ??= import('./relay-socket.js').then(({ socketServer }) => {
      this.wss = socketServer()
      return this.wss
    })
    return this.loading
  }

  private async admit(route: SocketRoute, req: IncomingMessage, url: URL): Promise<Admission | SocketRefusal> {
    try {
      return await route.admit(req, url)
    } catch (err) {
      if (!(err instanceof SocketRefusal)) this.o.log.error(`socket ${route.path}: ${(err as Error).stack ?? err}`)
      return err instanceof SocketRefusal ? err : new SocketRefusal(500, 'internal error')
    }
  }

  /** Close every socket (shutdown): 1001 "going away". */
  closeAll(reason = 'server shutting down'): void {
    clearInterval(this.timer)
    this.timer = undefined
    for (const ws of this.wss?.clients ?? []) {
      ws.close(1001, reason)
      // A peer that does not answer the close (or reads nothing) is cut off.
      setTimeout(() => ws.terminate(), 1000).unref()
    }
  }

  get open(): number {
    return this.wss?.clients.size ?? 0
  }

  private serve(route: SocketRoute, ws: WebSocket, admission: Admission | SocketRefusal): void {
    if (admission instanceof SocketRefusal) {
      // A browser cannot read a refused upgrade's body, so refusals travel on the socket.
      ws.send(errorMessage(admission.code, admission.message))
      ws.close(1008, admission.message.slice(0, 120))
      return
    }
    const { owner } = admission
    const count = this.owners.get(owner) ?? 0
    if (count >= this.o.limits().maxPerOwner) {
      ws.send(errorMessage(429, `too many open sockets for this user (realtime.max_connections_per_user is ${this.o.limits().maxPerOwner})`))
      ws.close(1008, 'too many sockets')
      return
    }
    this.owners.set(owner, count + 1)
    ws.once('close', () => {
      const left = (this.owners.get(owner) ?? 1) - 1
      if (left > 0) this.owners.set(owner, left)
      else this.owners.delete(owner)
    })
    ws.on('pong', () => this.missedPong.delete(ws))
    ws.on('error', (err) => this.o.log.debug(`socket ${route.path}: ${err.message}`))
    this.schedulePings()
    admission.open(ws)
  }

  /** One timer for all sockets; restarted when the interval changed at runtime. */
  private schedulePings(): void {
    const { pingMs } = this.o.limits()
    if (this.timer && pingMs === this.pingMs) return
    clearInterval(this.timer)
    this.pingMs = pingMs
    this.timer = setInterval(() => this.pingAll(), pingMs)
    this.timer.unref()
  }

  private pingAll(): void {
    const clients = this.wss?.clients
    if (!clients?.size) {
      clearInterval(this.timer)
      this.timer = undefined
      return
    }
    for (const ws of clients) {
      if (ws.readyState !== OPEN) continue
      // No pong since the last ping: the peer is gone without a close (a dead network path).
      if (this.missedPong.has(ws)) {
        ws.terminate()
        continue
      }
      this.missedPong.add(ws)
      ws.ping()
    }
    if (this.o.limits().pingMs !== this.pingMs) this.schedulePings()
  }
}
