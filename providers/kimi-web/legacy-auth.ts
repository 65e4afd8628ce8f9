// The legacy kimi.moonshot.cn session for an opaque refresh token: the access token is derived,
// cached in credential state and refreshed single-flight (this old refresh token does not rotate).
import { randomInt } from 'node:crypto'
import { protocolError } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { SingleFlight, acrossInstances } from '../../src/kit/single-flight.js'
import type { CallContext } from '../../src/kit/types.js'
import { LEGACY_ACCESS_TTL_MS, LEGACY_PATHS, PROVIDER_ID } from './constants.js'
import { fingerprint } from './credential.js'
import { legacyFailure } from './errors.js'

/** Stable per-credential ids the web client sends as X-Msh-Device-Id / X-Msh-Session-Id. */
export function deviceIds(ctx: CallContext<object>): { deviceId: string; sessionId: string } {
  const s = ctx.credential.state
  if (typeof s.device_id === 'string' && typeof s.session_id === 'string')
    return { deviceId: s.device_id, sessionId: s.session_id }
  const ids = { deviceId: randomDigits(19), sessionId: randomDigits(19) }
  ctx.saveState({ device_id: ids.deviceId, session_id: ids.sessionId })
  return ids
}

function randomDigits(n: number): string {
  let out = String(randomInt(1, 10))
  while (out.length < n) out += String(randomInt(0, 10))
  return out
}

export interface LegacySession {
  accessToken: string
  userId: string
}

const refreshFlight = new SingleFlight<LegacySession>()

/** The stored session while fresh and derived from this secret, unless its token is the one just refused. */
function storedSession(ctx: CallContext<object>, owner: string, rejected: string | undefined): LegacySession | undefined {
  const s = ctx.credential.state
  if (
    s.legacy_for === owner &&
    typeof s.legacy_access_token === 'string' &&
    s.legacy_access_token !== rejected &&
    typeof s.legacy_user_id === 'string' &&
    Number(s.legacy_expires_at) > Date.now()
  )
    return { accessToken: s.legacy_access_token, userId: s.legacy_user_id }
  return undefined
}

/**
 * Legacy access token + user id, from state while fresh, else refreshed once for all callers
 * (across instances too). `renew`: `{ rejected }` replaces a token the upstream refused (by the one
 * another caller stored meanwhile, else by a refresh); `'always'` refreshes regardless (the probe).
 */
export async function legacySession(ctx: CallContext<object>, renew?: { rejected: string } | 'always'): Promise<LegacySession> {
  const owner = fingerprint(ctx.credential.secret)
  const rejected = typeof renew === 'object' ? renew.rejected : undefined
  const reuse = () => (renew === 'always' ? undefined : storedSession(ctx, owner, rejected))
  const cached = reuse()
  if (cached) return cached
  return refreshFlight.run(owner, () =>
    // The lock re-reads the stored state: another instance may have refreshed meanwhile.
    acrossInstances(ctx, async () => {
      const stored = reuse()
      if (stored) return stored
      const accessToken = await refreshAccessToken(ctx)
      const user = await legacyUser(ctx, accessToken)
      ctx.saveState({
        legacy_for: owner,
        legacy_access_token: accessToken,
        legacy_user_id: user.id,
        legacy_expires_at: Date.now() + LEGACY_ACCESS_TTL_MS,
      })
      return { accessToken, userId: user.id }
    }),
  )
}

async function refreshAccessToken(ctx: CallContext<object>): Promise<string> {
  const body = await legacyGetJson(ctx, LEGACY_PATHS.refresh, ctx.credential.secret)
  if (typeof body.access_token !== 'string' || !body.access_token)
    throw protocolError(`${PROVIDER_ID}: token refresh answered without an access_token`, { provider: PROVIDER_ID })
  return body.access_token
}

export async function legacyUser(ctx: CallContext<object>, accessToken: string): Promise<{ id: string; name?: string }> {
  const body = await legacyGetJson(ctx, LEGACY_PATHS.user, accessToken)
  if (typeof body.id !== 'string') throw protocolError(`${PROVIDER_ID}: /api/user answered without an id`, { provider: PROVIDER_ID })
  return { id: body.id, ...(typeof body.name === 'string' ? { name: body.name } : {}) }
}

async function legacyGetJson(ctx: CallContext<object>, path: string, bearer: string): Promise<Record<string, unknown>> {
  const res = await ctx.http.request(legacyBase(ctx) + path, {
    headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
    signal: ctx.signal,
  })
  const text = await res.text()
  const body = asObject(tryJson(text))
  if (res.status < 200 || res.status >= 300 || typeof body?.error_type === 'string')
    throw legacyFailure(res.status, text)
  if (!body) throw legacyFailure(res.status, text)
  return body
}

export function legacyBase(ctx: CallContext<object>): string {
  return (ctx.settings as { legacy_base_url?: string }).legacy_base_url || ctx.settings.base_url
}
