// What a handler needs to know about one request, whichever server layer carried it: the hono
// app (every route) or the Node fast lane (POST /v1/chat/completions, the hot path).
import type { ServerResponse } from 'node:http'
import type { Context } from 'hono'
import { giveBackController, takeController } from '../kit/abort-pool.js'

const EXPOSED = 'X-Request-Id, Server-Timing'

/**
 * Headers every response carries: the request id, and CORS when allowed: `true` for any origin
 * (the OpenAI routes with server.cors), an origin for that origin only (listed admin origins).
 */
export function baseHeaders(requestId: string, cors: boolean | string): Record<string, string> {
  if (!cors) return { 'X-Request-Id': requestId }
  if (cors === true)
    return { 'X-Request-Id': requestId, 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED }
  return { 'X-Request-Id': requestId, 'Access-Control-Allow-Origin': cors, 'Access-Control-Expose-Headers': EXPOSED, Vary: 'Origin' }
}

/**
 * The door requests still running, each with the controller that aborts its upstream call: a
 * shutdown whose grace period ran out stops them (the client is still there and gets an error).
 */
export type InFlight = Set<AbortController>

/** Aborts when the client goes away before the response is complete (or the shutdown stops it). */
export function abortOnClose(outgoing: ServerResponse, inflight: InFlight): AbortSignal {
  const controller = takeController()
  inflight.add(controller)
  outgoing.once('close', () => {
    inflight.delete(controller)
    if (!outgoing.writableFinished) controller.abort(new DOMException('client disconnected', 'AbortError'))
    else giveBackController(controller)
  })
  return controller.signal
}

/** abortOnClose for a hono request: its Node response when there is one, else the web request's. */
export function clientSignal(c: Context, inflight: InFlight): AbortSignal {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
  return outgoing ? abortOnClose(outgoing, inflight) : c.req.raw.signal
}
