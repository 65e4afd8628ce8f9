// Bearer client keys on the OpenAI routes. With no key configured, only loopback callers get in
// (or everyone, with ALLOW_ANONYMOUS=1); their bearer value may carry pass-through upstream tokens.
import type { MiddlewareHandler } from 'hono'
import type { Caller } from '../../core/chat/caller.js'
import type { ClientKeys } from '../../core/client-keys.js'
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

/** Who is calling, from the credentials the request carries; throws a 401 ApiError. */
export async function identify(
  keys: ClientKeys,
  allowAnonymous: boolean,
  request: { authorization: string | undefined; apiKey: string | undefined; remoteAddress: string | undefined },
): Promise<ClientIdentity> {
  const token = bearerOf(request.authorization) ?? request.apiKey
  const row = token ? await keys.verify(token) : undefined
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
  const anyKey = allowAnonymous || (await keys.hasAny())
  const anonymous = allowAnonymous || (!anyKey && isLoopback(request.remoteAddress))
  if (!anonymous) {
    throw ApiError.unauthorized(
      token ? 'invalid, disabled or expired API key' : anyKey ? 'missing API key (Authorization: Bearer <key>)' : `no API key exists yet; ${HOW_TO}`,
    )
  }
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
