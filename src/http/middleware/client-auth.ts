// Bearer client keys on the OpenAI routes. With no key configured, only loopback callers get in
// (or everyone, with ALLOW_ANONYMOUS=1); their bearer value may carry pass-through upstream tokens.
import type { MiddlewareHandler } from 'hono'
import type { Caller } from '../../core/chat/caller.js'
import type { ClientKeys } from '../../core/client-keys.js'
import type { ClientKeyRow } from '../../db/keys.repo.js'
import { andThen } from '../../kit/maybe.js'
import { ApiError } from '../errors.js'
import { isLoopback, remoteAddress } from '../body.js'

/** The caller as the core sees it. */
export type ClientIdentity = Caller

export type ClientAuthEnv = { Variables: { client: ClientIdentity } }

export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined
  const m = /^Bearer\s+(.+)$/i.exec(header.trim())
  return (m?.[1] ?? header).trim() || undefined
}

const HOW_TO =
  'create a client key with the admin API: curl -X PUT http://<host>/api/key -H "Authorization: <BACKEND_SECRET>" -d \'{"remark":"me"}\''

/**
 * Who is calling, from the credentials the request carries; throws (or rejects with) a 401
 * ApiError. Synchronous when the key is cached or the caller is anonymous: the request path then
 * creates no promise here.
 */
export function identify(
  keys: ClientKeys,
  allowAnonymous: boolean,
  request: { authorization: string | undefined; apiKey: string | undefined; remoteAddress: string | undefined },
): ClientIdentity | Promise<ClientIdentity> {
  const token = bearerOf(request.authorization) ?? request.apiKey
  const row = token ? keys.verify(token) : undefined
  return andThen(row, (found) => identified(keys, allowAnonymous, request, token, found))
}

function identified(
  keys: ClientKeys,
  allowAnonymous: boolean,
  request: { remoteAddress: string | undefined },
  token: string | undefined,
  row: ClientKeyRow | undefined,
): ClientIdentity | Promise<ClientIdentity> {
  if (row) {
    return {
      keyId: row.id,
      userId: row.userId,
      allowedModels: row.allowedModels ?? null,
      actForOthers: row.actForOthers,
      passthroughTokens: [],
      limitKey: row,
    }
  }
  if (allowAnonymous) return anonymousCaller(token)
  return andThen(keys.hasAny(), (anyKey) => anonymousIfAllowed(request, token, anyKey))
}

/** Without ALLOW_ANONYMOUS, a caller without a key gets in only from loopback while no key exists. */
function anonymousIfAllowed(request: { remoteAddress: string | undefined }, token: string | undefined, anyKey: boolean): ClientIdentity {
  if (!anyKey && isLoopback(request.remoteAddress)) return anonymousCaller(token)
  throw ApiError.unauthorized(
    token ? 'invalid, disabled or expired API key' : anyKey ? 'missing API key (Authorization: Bearer <key>)' : `no API key exists yet; ${HOW_TO}`,
  )
}

function anonymousCaller(token: string | undefined): ClientIdentity {
  return {
    keyId: null,
    userId: null,
    allowedModels: null,
    // Naming another user is for keys the operator allowed to; anyone can be anonymous.
    actForOthers: false,
    passthroughTokens: token ? token.split(',').map((t) => t.trim()).filter(Boolean) : [],
    limitKey: undefined,
  }
}

export function clientAuth(keys: ClientKeys, allowAnonymous: boolean): MiddlewareHandler<ClientAuthEnv> {
  return async function clientAuthMiddleware(c, next) {
    const request = { authorization: c.req.header('authorization'), apiKey: c.req.header('x-api-key'), remoteAddress: remoteAddress(c) }
    c.set('client', await identify(keys, allowAnonymous, request))
    return next()
  }
}
