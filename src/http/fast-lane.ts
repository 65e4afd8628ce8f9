// The hot path without the framework: POST <prefix>/v1/chat/completions is answered straight from
// Node's request and response; every other request goes on to the hono app. hono's request and
// context objects, middleware chain and Response conversion cost about 0.05 ms per request,
// a fifth of the relay's CPU budget, on the one route that carries nearly all the traffic.
// The same handler (chat-handler.ts) serves the hono route, so behaviour cannot drift.
import { type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { getRequestListener } from '@hono/node-server'
import { timeOrderedUuid } from '../core/ids.js'
import type { Services } from '../services.js'
import { readJsonFrom } from './body.js'
import { type ChatReply, handleChat } from './chat-handler.js'
import { toApiError } from './errors.js'
import { abortOnClose, baseHeaders } from './exchange.js'
import { identify } from './middleware/client-auth.js'
import { streamToNode, withBaseHeaders } from './sse-response.js'

/** Listen with the app behind the fast lane (node-server's serve(), plus the lane). */
export function serveApp(
  s: Services,
  app: { fetch: (request: Request, env: never) => Response | Promise<Response> },
  where: { port: number; hostname: string; onRequest?: () => () => void },
  onListening?: (address: AddressInfo) => void,
): Server {
  const lane = fastLane(s, getRequestListener(app.fetch as never, { hostname: where.hostname }))
  const { onRequest } = where
  const listener: RequestListener = onRequest
    ? (req, res) => {
        res.once('close', onRequest()) // 'close' comes once a response is over, finished or not
        lane(req, res)
      }
    : lane
  const server = createServer(listener)
  server.listen(where.port, where.hostname, () => onListening?.(server.address() as AddressInfo))
  return server
}

function fastLane(s: Services, honoListener: RequestListener): RequestListener {
  const chatPath = `${s.config.server.route_prefix}/v1/chat/completions`
  return (req, res) => {
    const url = req.url ?? ''
    const path = url.length === chatPath.length ? url : url.split('?', 1)[0]
    if (req.method === 'POST' && path === chatPath) void serveChat(s, req, res)
    else honoListener(req, res)
  }
}

function sendJson(res: ServerResponse, status: number, base: Record<string, string>, body: unknown, extra?: Record<string, string>): void {
  const json = JSON.stringify(body)
  res.writeHead(status, { ...base, ...extra, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(json)) })
  res.end(json)
}

function render(res: ServerResponse, base: Record<string, string>, reply: ChatReply): void {
  if (reply.kind === 'json') sendJson(res, reply.status, base, reply.body, reply.headers)
  else if (reply.kind === 'sse') streamToNode(res, withBaseHeaders(reply.options, base))
  else if (!res.headersSent && !res.destroyed) {
    res.statusCode = 499
    res.end()
  }
}

async function serveChat(s: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const startedAt = performance.now()
  const requestId = (req.headers['x-request-id'] as string | undefined) || timeOrderedUuid()
  const base = baseHeaders(requestId, s.config.server.cors)
  try {
    const client = identify(s.keys, s.config.security.allow_anonymous, {
      authorization: req.headers.authorization,
      apiKey: req.headers['x-api-key'] as string | undefined,
      remoteAddress: req.socket.remoteAddress,
    })
    const raw = await readJsonFrom(req, req.headers['content-length'], s.config.server.body_limit)
    render(res, base, await handleChat(s, { requestId, startedAt, client }, raw, abortOnClose(res)))
  } catch (err) {
    const api = toApiError(err, s.log)
    if (res.headersSent || res.destroyed) return
    // An unread body (too large, or refused before reading) must not be parsed as the next request.
    if (!req.complete) res.shouldKeepAlive = false
    sendJson(res, api.status, base, api.body())
  }
}
