// What a handler needs to know about one request, whichever server layer carried it: the hono
// app (every route) or the Node fast lane (POST /v1/chat/completions, the hot path).
import type { ServerResponse } from 'node:http'
import type { Context } from 'hono'
import type { AppEnv } from './app-env.js'
import type { ClientIdentity } from './middleware/client-auth.js'

export interface RequestFacts {
  requestId: string
  /** performance.now() when the request arrived. */
  startedAt: number
  client: ClientIdentity
}

export const factsOf = (c: Context<AppEnv>): RequestFacts => ({
  requestId: c.get('requestId'),
  startedAt: c.get('startedAt'),
  client: c.get('client'),
})

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

/** Aborts when the client goes away before the response is complete. */
export function abortOnClose(outgoing: ServerResponse): AbortSignal {
  const controller = new AbortController()
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) controller.abort(new DOMException('client disconnected', 'AbortError'))
  })
  return controller.signal
}

/** abortOnClose for a hono request: its Node response when there is one, else the web request's. */
export function clientSignal(c: Context): AbortSignal {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
  return outgoing ? abortOnClose(outgoing) : c.req.raw.signal
}
