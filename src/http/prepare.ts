// The one preparation step every door's request goes through, on either server layer: who is
// calling and what the body holds. Checks added here (auth, limits) apply to every door at once.
import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import type { ClientKeys } from '../core/client-keys.js'
import { timeOrderedUuid } from '../core/ids.js'
import type { RateLimiter } from '../core/rate-limiter.js'
import { LimitExceeded } from '../core/rate-limits.js'
import { readBytesFrom, readJsonFrom } from './body.js'
import type { Prepared } from './doors/door.js'
import { identify } from './middleware/client-auth.js'

export interface PrepareOptions {
  keys: ClientKeys
  allowAnonymous: boolean
  bodyLimit: number
  /** Rate limits; a caller without any costs one boolean check. */
  limiter?: RateLimiter | undefined
}

/**
 * The request's ids: Freeway's own (a time-ordered UUIDv7, the key of its usage row) and the
 * client's X-Request-Id, which may repeat. Responses echo the client's, else carry ours.
 */
export function requestIds(header: string | undefined): { requestId: string; clientRequestId: string | undefined; visible: string } {
  const requestId = timeOrderedUuid()
  return { requestId, clientRequestId: header || undefined, visible: header || requestId }
}

interface RawRequest {
  requestId: string
  clientRequestId: string | undefined
  startedAt: number
  header(name: string): string | undefined
  remoteAddress: string | undefined
  body: IncomingMessage | AsyncIterable<Uint8Array>
  url: string
}

/**
 * `headers` receives the rate-limit headers (on the answer and on a 429 alike); the Prepared's
 * release() must run when the response is over, whatever its end.
 */
async function prepare(o: PrepareOptions, raw: RawRequest, as: 'json' | 'bytes', headers: Record<string, string>): Promise<Prepared> {
  const caller = identify(o.keys, o.allowAnonymous, {
    authorization: raw.header('authorization'),
    apiKey: raw.header('x-api-key'),
    remoteAddress: raw.remoteAddress,
  })
  const read = as === 'bytes' ? readBytesFrom : readJsonFrom
  const body = await read(raw.body, raw.header('content-length'), o.bodyLimit)
  const { requestId, clientRequestId, startedAt, header, url } = raw
  const prepared: Prepared = { requestId, clientRequestId, startedAt, caller, body, header, url }
  if (o.limiter?.active && caller.limitKey) {
    try {
      const admission = await o.limiter.admit(caller.limitKey, (body as { model?: unknown } | null)?.model)
      if (admission) {
        Object.assign(headers, admission.headers)
        prepared.release = admission.release
      }
    } catch (err) {
      if (err instanceof LimitExceeded) Object.assign(headers, err.headers)
      throw err
    }
  }
  return prepared
}

/** From Node's request (the fast lane). */
export function prepareNode(
  o: PrepareOptions,
  req: IncomingMessage,
  ids: { requestId: string; clientRequestId: string | undefined },
  startedAt: number,
  as: 'json' | 'bytes',
  headers: Record<string, string>,
): Promise<Prepared> {
  const header = (name: string) => {
    const v = req.headers[name]
    return Array.isArray(v) ? v[0] : v
  }
  return prepare(o, { ...ids, startedAt, header, remoteAddress: req.socket.remoteAddress, body: req, url: req.url ?? '/' }, as, headers)
}

/** From a hono context (app.fetch); the request id and start time come from the app's first middleware. */
export function prepareHono(o: PrepareOptions, c: Context, as: 'json' | 'bytes', headers: Record<string, string>): Promise<Prepared> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  return prepare(o, {
    requestId: c.get('requestId') as string,
    clientRequestId: c.get('clientRequestId') as string | undefined,
    startedAt: c.get('startedAt') as number,
    header: (name) => c.req.header(name),
    remoteAddress: incoming?.socket?.remoteAddress,
    body: incoming ?? ((c.req.raw.body ?? []) as AsyncIterable<Uint8Array>),
    url: incoming?.url ?? new URL(c.req.url).pathname + new URL(c.req.url).search,
  }, as, headers)
}
