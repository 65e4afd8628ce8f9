// Kimi credentials: the `kimi-auth` access JWT (current site) or a legacy refresh token, told apart
// by the JWT claims; the legacy access token is derived, cached in credential state and refreshed
// single-flight.
import { createHash, randomInt } from 'node:crypto'
import { credentialInvalid, protocolError } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { decodeJwtPayload, pickPastedValue } from '../../src/kit/pasted-secret.js'
import { SingleFlight } from '../../src/kit/single-flight.js'
import type { CallContext } from '../../src/kit/types.js'
import { LEGACY_ACCESS_TTL_MS, LEGACY_PATHS, PROVIDER_ID } from './constants.js'
import { legacyFailure } from './errors.js'

export type KimiTokenKind = 'access' | 'refresh'

export interface KimiClaims {
  sub?: string
  ssid?: string
  device_id?: string
  exp?: number
  app_id?: string
  typ?: string
}

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/

/** Accept a bare token, `kimi-auth=…`, a cookie header, a JSON localStorage value or KFA's array form. */
export function normalizeSecret(raw: string): string {
  const trimmed = raw.trim()
  // KFA README: the refresh token may be shown as an array of its dot-separated parts.
  const parts = trimmed.startsWith('[') ? tryJson(trimmed) : undefined
  if (Array.isArray(parts) && parts.every((p) => typeof p === 'string')) return parts.join('.')
  return pickPastedValue(trimmed, ['kimi-auth', 'refresh_token', 'access_token', 'value', 'token'])
}

export function claimsOf(token: string): KimiClaims | undefined {
  return JWT_SHAPE.test(token) ? (decodeJwtPayload(token) as KimiClaims | undefined) : undefined
}

/** Spec §2.2: a `kimi-auth` access JWT has app_id "kimi" and typ "access"; anything else is a refresh token. */
export function tokenKind(token: string): KimiTokenKind {
  const claims = claimsOf(token)
  return claims?.app_id === 'kimi' && claims.typ === 'access' ? 'access' : 'refresh'
}

/** Fail fast on an access JWT whose `exp` has passed instead of asking the upstream. */
export function assertNotExpired(claims: KimiClaims | undefined, now = Date.now()): void {
  if (claims?.exp !== undefined && claims.exp * 1000 <= now)
    throw credentialInvalid(`${PROVIDER_ID}: the kimi-auth token expired on ${new Date(claims.exp * 1000).toISOString()}`, {
      provider: PROVIDER_ID,
    })
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16)
}

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

/** Legacy access token + user id, from state while fresh, else refreshed once for all callers. */
export async function legacySession(ctx: CallContext<object>, force = false): Promise<LegacySession> {
  const s = ctx.credential.state
  const owner = fingerprint(ctx.credential.secret)
  if (
    !force &&
    s.legacy_for === owner &&
    typeof s.legacy_access_token === 'string' &&
    typeof s.legacy_user_id === 'string' &&
    Number(s.legacy_expires_at) > Date.now()
  )
    return { accessToken: s.legacy_access_token, userId: s.legacy_user_id }
  return refreshFlight.run(owner, async () => {
    const accessToken = await refreshAccessToken(ctx)
    const user = await legacyUser(ctx, accessToken)
    ctx.saveState({
      legacy_for: owner,
      legacy_access_token: accessToken,
      legacy_user_id: user.id,
      legacy_expires_at: Date.now() + LEGACY_ACCESS_TTL_MS,
    })
    return { accessToken, userId: user.id }
  })
}

export function forgetLegacySession(ctx: CallContext<object>): void {
  ctx.saveState({ legacy_access_token: undefined, legacy_expires_at: 0 })
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
