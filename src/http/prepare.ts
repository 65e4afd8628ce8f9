// The one preparation step every door's request goes through, on either server layer: who is
// calling and what the body holds. Checks added here (auth, limits) apply to every door at once.
import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import type { ClientKeys } from '../core/client-keys.js'
import { timeOrderedUuid } from '../core/ids.js'
import { readJsonFrom } from './body.js'
import type { Prepared } from './doors/door.js'
import { identify } from './middleware/client-auth.js'

export interface PrepareOptions {
  keys: ClientKeys
  allowAnonymous: boolean
  bodyLimit: number
}

/** The request's id: the client's X-Request-Id, else a time-ordered UUIDv7. */
export const requestIdFrom = (header: string | undefined): string => header || timeOrderedUuid()

interface RawRequest {
  requestId: string
  startedAt: number
  header(name: string): string | undefined
  remoteAddress: string | undefined
  body: IncomingMessage | AsyncIterable<Uint8Array>
}

async function prepare(o: PrepareOptions, raw: RawRequest): Promise<Prepared> {
  const caller = identify(o.keys, o.allowAnonymous, {
    authorization: raw.header('authorization'),
    apiKey: raw.header('x-api-key'),
    remoteAddress: raw.remoteAddress,
  })
  const body = await readJsonFrom(raw.body, raw.header('content-length'), o.bodyLimit)
  return { requestId: raw.requestId, startedAt: raw.startedAt, caller, body, header: raw.header }
}

/** From Node's request (the fast lane). */
export function prepareNode(o: PrepareOptions, req: IncomingMessage, requestId: string, startedAt: number): Promise<Prepared> {
  const header = (name: string) => {
    const v = req.headers[name]
    return Array.isArray(v) ? v[0] : v
  }
  return prepare(o, { requestId, startedAt, header, remoteAddress: req.socket.remoteAddress, body: req })
}

/** From a hono context (app.fetch); the request id and start time come from the app's first middleware. */
export function prepareHono(o: PrepareOptions, c: Context): Promise<Prepared> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  return prepare(o, {
    requestId: c.get('requestId') as string,
    startedAt: c.get('startedAt') as number,
    header: (name) => c.req.header(name),
    remoteAddress: incoming?.socket?.remoteAddress,
    body: incoming ?? ((c.req.raw.body ?? []) as AsyncIterable<Uint8Array>),
  })
}
