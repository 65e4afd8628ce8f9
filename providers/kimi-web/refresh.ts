// Renewing the Aug 2026 token pair: the Connect AuthService/RefreshToken call at auth_url first,
// and the legacy REST `GET /api/auth/token/refresh` only when that procedure does not exist
// (updates-2026 §1.2; sources disagree on whether the REST path still answers). Both rotate the
// refresh token: the one sent here is dead afterwards.
import { type UpstreamError, credentialInvalid, protocolError } from '../../src/kit/errors.js'
import type { HttpResponse } from '../../src/kit/http.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import type { CallContext } from '../../src/kit/types.js'
import { AUTH_PATHS, LEGACY_PATHS, MSH_VERSION, PROVIDER_ID } from './constants.js'
import { claimsOf } from './credential.js'
import { connectHttpFailure, legacyFailure } from './errors.js'

export interface RefreshedTokens {
  access: string
  /** The rotated refresh token; absent only if a REST answer kept the old one. */
  refresh?: string
}

export interface KimiAuthSettings {
  auth_url: string
  legacy_base_url: string
}

export const USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36'

const opts = { provider: PROVIDER_ID }

/** Someone else spent this refresh token: say so, since pasting the same token again cannot help. */
export function chainUsedElsewhere(detail: string, status?: number): UpstreamError {
  return credentialInvalid(
    `${PROVIDER_ID}: the refresh token was refused (${detail}): this login's token chain was used elsewhere — the browser or the Kimi desktop app refreshed it, which voids every other copy. Copy a fresh refresh_token from a browser session you then close (without logging out) and keep one holder per login`,
    status === undefined ? opts : { ...opts, upstreamStatus: status },
  )
}

/** The x-msh-* identity the web client sends, taken from the refresh token's claims. */
export function deviceHeaders(token: string | undefined): Record<string, string> {
  const c = claimsOf(token)
  const headers: Record<string, string> = {}
  if (c?.device_id) headers['x-msh-device-id'] = String(c.device_id)
  if (c?.ssid) headers['x-msh-session-id'] = String(c.ssid)
  if (c?.sub) headers['x-traffic-id'] = String(c.sub)
  return headers
}

/** `{accessToken, refreshToken}`; parsers also accept snake_case keys and a `data` wrapper. */
export function readTokens(body: unknown): RefreshedTokens | undefined {
  const top = asObject(body)
  const src = asObject(top?.data) ?? top
  const pick = (...keys: string[]) => keys.map((k) => src?.[k]).find((v): v is string => typeof v === 'string' && v !== '')
  const access = pick('accessToken', 'access_token')
  const refresh = pick('refreshToken', 'refresh_token')
  if (!access) return undefined
  return refresh ? { access, refresh } : { access }
}

/** A 404/405/501 or `unimplemented`: this host has no such procedure (moved or never there). */
function isMissingEndpoint(res: HttpResponse, text: string): boolean {
  if (res.status === 404 || res.status === 405 || res.status === 501) return true
  return asObject(tryJson(text))?.code === 'unimplemented'
}

/**
 * Renew with `refreshToken`. `signal` is not the client's: once sent, a refresh must be allowed to
 * finish, or the rotated pair is lost and the chain with it.
 */
export async function refreshTokens(
  ctx: CallContext<KimiAuthSettings>,
  refreshToken: string,
  signal: AbortSignal,
): Promise<RefreshedTokens> {
  const res = await ctx.http.request(ctx.settings.auth_url + AUTH_PATHS.refresh, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'connect-protocol-version': '1',
      'x-msh-platform': 'web',
      'x-msh-version': MSH_VERSION,
      ...deviceHeaders(refreshToken),
      'r-timezone': 'Asia/Shanghai',
      'user-agent': USER_AGENT,
      origin: ctx.settings.base_url,
    },
    // The browser's key; Connect-JSON also accepts `refreshToken`.
    body: JSON.stringify({ refresh_token: refreshToken }),
    signal,
  })
  const text = await res.text()
  if (res.status === 200) {
    const tokens = readTokens(tryJson(text))
    if (tokens) return tokens
    throw protocolError(`${PROVIDER_ID}: RefreshToken answered without an accessToken`, opts)
  }
  if (isMissingEndpoint(res, text)) {
    ctx.log.info('Connect RefreshToken not found at auth_url; trying the legacy REST refresh', { status: res.status })
    return restRefresh(ctx, refreshToken, signal)
  }
  throw refreshFailure(res.status, res.header('content-type') ?? '', text)
}

function refreshFailure(status: number, contentType: string, text: string): UpstreamError {
  const body = asObject(tryJson(text))
  const code = body?.code
  const message = body?.message
  const detail = [code ?? `HTTP ${status}`, typeof message === 'string' ? message.slice(0, 100) : ''].filter(Boolean).join(' — ')
  const html = /text\/html/i.test(contentType) || text.trimStart().startsWith('<')
  if (status === 401 || code === 'unauthenticated' || (status === 403 && !html)) return chainUsedElsewhere(String(detail), status)
  return connectHttpFailure(status, contentType, text)
}

/** `GET {legacy_base_url}/api/auth/token/refresh` with the refresh token as Bearer → `{access_token, refresh_token}`. */
async function restRefresh(ctx: CallContext<KimiAuthSettings>, refreshToken: string, signal: AbortSignal): Promise<RefreshedTokens> {
  const origin = ctx.settings.legacy_base_url || ctx.settings.base_url
  const res = await ctx.http.request(origin + LEGACY_PATHS.refresh, {
    headers: { authorization: `Bearer ${refreshToken}`, accept: 'application/json', 'x-msh-platform': 'web', ...deviceHeaders(refreshToken) },
    signal,
  })
  const text = await res.text()
  if (res.status === 200) {
    const tokens = readTokens(tryJson(text))
    if (tokens) return tokens
    throw protocolError(`${PROVIDER_ID}: the REST refresh answered without an access_token`, opts)
  }
  if (res.status === 404 || res.status === 405)
    throw protocolError(
      `${PROVIDER_ID}: no refresh endpoint answered (Connect RefreshToken at auth_url and REST ${LEGACY_PATHS.refresh} both gave 404); check auth_url`,
      { ...opts, upstreamStatus: res.status },
    )
  if (res.status === 401) throw chainUsedElsewhere('REST refresh HTTP 401', 401)
  throw legacyFailure(res.status, text)
}
