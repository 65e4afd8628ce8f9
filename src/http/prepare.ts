// The one preparation step every door's request goes through, on either server layer: who is
// calling and what the body holds. Checks added here (auth, limits) apply to every door at once.
import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import type { ClientKeys } from '../core/client-keys.js'
import { timeOrderedUuid } from '../core/ids.js'
import type { RateLimiter } from '../core/rate-limiter.js'
import { LimitExceeded } from '../core/rate-limits.js'
import { readBytesFrom, readJsonFrom } from './body.js'
import type { Caller } from '../core/chat/caller.js'
import { safeEqual } from '../db/secret-box.js'
import type { Door, Prepared } from './doors/door.js'
import { bearerOf, identify } from './middleware/client-auth.js'
import { isMultipart, parseMultipart } from './multipart.js'

export interface PrepareOptions {
  keys: ClientKeys
  allowAnonymous: boolean
  bodyLimit: number
  /** Largest multipart body, for doors that take uploads. */
  uploadLimit: number
  /** admin.secret: on doors with `adminActs`, it authenticates a caller that may act for any user. */
  adminSecret?: string | undefined
  /** Rate limits; a caller without any costs one boolean check. */
  limiter?: RateLimiter | undefined
}

/** What a door asks of the preparation beyond JSON and a client key. */
export type DoorTraits = Pick<Door, 'multipart' | 'adminActs' | 'body'>

/** The operator, calling with the admin secret: may name any user (the seeds' user_uuid). */
const ADMIN_CALLER: Caller = { keyId: null, userId: null, allowedModels: null, actForOthers: true, passthroughTokens: [] }

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

/** JSON, or for doors that take uploads, a multipart form (see multipart.ts). Not async: the JSON body's promise is returned as it is. */
function readBody(o: PrepareOptions, raw: RawRequest, traits: DoorTraits): Promise<unknown> {
  const type = raw.header('content-type')
  // 'bytes': binary uploads passed on unread (the /communicate door)
  if (traits.body === 'bytes') return readBytesFrom(raw.body, raw.header('content-length'), o.bodyLimit)
  if (!traits.multipart || !isMultipart(type)) return readJsonFrom(raw.body, raw.header('content-length'), o.bodyLimit)
  return readBytesFrom(raw.body, raw.header('content-length'), o.uploadLimit).then((bytes) => parseMultipart(bytes, type!))
}

function callerOf(o: PrepareOptions, raw: RawRequest, traits: DoorTraits): Caller | Promise<Caller> {
  const authorization = raw.header('authorization')
  const given = bearerOf(authorization)
  if (traits.adminActs && o.adminSecret && given && safeEqual(given, o.adminSecret)) return ADMIN_CALLER
  return identify(o.keys, o.allowAnonymous, { authorization, apiKey: raw.header('x-api-key'), remoteAddress: raw.remoteAddress })
}

/**
 * `headers` receives the rate-limit headers (on the answer and on a 429 alike); the Prepared's
 * release() must run when the response is over, whatever its end. Not an async function: with a
 * cached key and no limits, the body's promise is the only one this step creates.
 */
function prepare(o: PrepareOptions, raw: RawRequest, traits: DoorTraits, headers: Record<string, string>): Promise<Prepared> {
  let caller: Caller | Promise<Caller>
  try {
    caller = callerOf(o, raw, traits)
  } catch (err) {
    return Promise.reject(err)
  }
  const withBody = (known: Caller) => readBody(o, raw, traits).then((body) => admit(o, raw, known, body, headers))
  return caller instanceof Promise ? caller.then(withBody) : withBody(caller)
}

/** The prepared request, once its rate limits (if any) let it in. */
function admit(o: PrepareOptions, raw: RawRequest, caller: Caller, body: unknown, headers: Record<string, string>): Prepared | Promise<Prepared> {
  const { requestId, clientRequestId, startedAt, header, url } = raw
  const prepared: Prepared = { requestId, clientRequestId, startedAt, caller, body, header, url }
  if (!o.limiter?.active || !caller.limitKey) return prepared
  return o.limiter.admit(caller.limitKey, (body as { model?: unknown } | null)?.model).then(
    (admission) => {
      if (admission) {
        Object.assign(headers, admission.headers)
        prepared.release = admission.release
      }
      return prepared
    },
    (err: unknown) => {
      if (err instanceof LimitExceeded) Object.assign(headers, err.headers)
      throw err
    },
  )
}

/** From Node's request (the fast lane). */
export function prepareNode(
  o: PrepareOptions,
  req: IncomingMessage,
  ids: { requestId: string; clientRequestId: string | undefined },
  startedAt: number,
  traits: DoorTraits,
  headers: Record<string, string>,
): Promise<Prepared> {
  const header = (name: string) => {
    const v = req.headers[name]
    return Array.isArray(v) ? v[0] : v
  }
  const raw: RawRequest = {
    requestId: ids.requestId,
    clientRequestId: ids.clientRequestId,
    startedAt,
    header,
    remoteAddress: req.socket.remoteAddress,
    body: req,
    url: req.url ?? '/',
  }
  return prepare(o, raw, traits, headers)
}

/** From a hono context (app.fetch); the request id and start time come from the app's first middleware. */
/** The path and query of an absolute URL, as a Node request's `url` holds them. */
const pathAndQuery = (href: string) => {
  const { pathname, search } = new URL(href)
  return pathname + search
}

export function prepareHono(o: PrepareOptions, c: Context, traits: DoorTraits, headers: Record<string, string>): Promise<Prepared> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  return prepare(o, {
    requestId: c.get('requestId') as string,
    clientRequestId: c.get('clientRequestId') as string | undefined,
    startedAt: c.get('startedAt') as number,
    header: (name) => c.req.header(name),
    remoteAddress: incoming?.socket?.remoteAddress,
    body: incoming ?? ((c.req.raw.body ?? []) as AsyncIterable<Uint8Array>),
    url: incoming?.url ?? pathAndQuery(c.req.url),
  }, traits, headers)
}
