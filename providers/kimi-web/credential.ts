// What a Kimi credential is: since Aug 2026 the page keeps a short-lived `access_token` and a
// rotating `refresh_token` in localStorage; older logins have the `kimi-auth` cookie, and the
// kimi.moonshot.cn era had opaque refresh tokens. Each is told apart by its JWT claims, whatever
// name it was pasted under (updates-2026 §1.1, §1.4).
import { createHash } from 'node:crypto'
import { credentialInvalid } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { decodeJwtPayload, pickPastedValue } from '../../src/kit/pasted-secret.js'
import { PROVIDER_ID } from './constants.js'

export interface KimiClaims {
  iss?: string
  sub?: string
  ssid?: string
  device_id?: string
  exp?: number
  iat?: number
  app_id?: string
  typ?: string
}

/**
 * - `refresh`: the new rotating refresh JWT (`typ:"refresh"`, `iss:"account"`), renewed at auth_url;
 * - `access`: the new ~15-minute access JWT (`iss:"account-nt"`), or any kimi access JWT;
 * - `kimi-auth`: the old cookie JWT (`iss:"user-center"`, about 30 days);
 * - `legacy`: anything else (an opaque kimi.moonshot.cn refresh token) → the legacy REST flow.
 */
export type KimiTokenKind = 'refresh' | 'access' | 'kimi-auth' | 'legacy'

/** The tokens found in a stored secret. */
export interface KimiSecret {
  refresh?: string
  access?: string
  legacy?: string
}

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/
/** localStorage keys and cookie names a token may be pasted under (Chat2API reads the same set). */
const NAMES = ['refresh_token', 'refreshToken', 'access_token', 'accessToken', 'kimi-auth', 'value', 'token'] as const

export function claimsOf(token: string | undefined): KimiClaims | undefined {
  return token && JWT_SHAPE.test(token) ? (decodeJwtPayload(token) as KimiClaims | undefined) : undefined
}

export function tokenKind(token: string): KimiTokenKind {
  const c = claimsOf(token)
  if (!c) return 'legacy'
  // The kimi.moonshot.cn refresh JWTs came from user-center; the rotating ones come from `account`.
  if (c.typ === 'refresh') return c.iss === 'user-center' ? 'legacy' : 'refresh'
  if (c.iss === 'account-nt') return 'access'
  if (c.app_id === 'kimi' && c.typ === 'access') return c.iss === 'user-center' ? 'kimi-auth' : 'access'
  return 'legacy'
}

/** Every token-looking value in what was pasted, in the order found. */
function candidates(raw: string): string[] {
  const text = raw.trim()
  // KFA README: the refresh token may be shown as an array of its dot-separated parts.
  const json = /^[[{"]/.test(text) ? tryJson(text) : undefined
  if (Array.isArray(json) && json.length > 0 && json.every((p) => typeof p === 'string')) return [json.join('.')]
  const obj = asObject(json)
  if (obj) {
    const found = NAMES.map((n) => obj[n]).filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    // A localStorage value may itself be a quoted JSON string.
    if (found.length) return found.map((v) => pickPastedValue(v, NAMES))
  }
  if (!json && text.includes('=') && !JWT_SHAPE.test(text)) {
    const cookies = NAMES.map((n) => pickPastedValue(text, [n])).filter((v) => v !== text.replace(/^bearer\s+/i, ''))
    if (cookies.length) return cookies
  }
  return [pickPastedValue(text, NAMES)]
}

/** Sort what was pasted into refresh / access / legacy by the claims, first of each kind winning. */
export function parseKimiSecret(raw: string): KimiSecret {
  const out: KimiSecret = {}
  for (const token of candidates(raw)) {
    const kind = tokenKind(token)
    if (kind === 'refresh') out.refresh ??= token
    else if (kind === 'legacy') out.legacy ??= token
    else out.access ??= token
  }
  return out
}

/**
 * The stored form: the refresh token alone (preferred), or access + refresh together as JSON when
 * both were pasted (the access token then saves the first refresh), or the single token found.
 */
export function normalizeSecret(raw: string): string {
  const s = parseKimiSecret(raw)
  if (s.refresh && s.access) return JSON.stringify({ access_token: s.access, refresh_token: s.refresh })
  return s.refresh ?? s.access ?? s.legacy ?? raw.trim()
}

/** Which protocol the credential speaks: Connect (any new or old JWT) or the legacy REST flow. */
export function credentialFlow(secret: string): 'connect' | 'legacy' {
  const s = parseKimiSecret(secret)
  return s.refresh || s.access ? 'connect' : 'legacy'
}

/** Fail fast on an access JWT whose `exp` has passed instead of asking the upstream. */
export function assertNotExpired(claims: KimiClaims | undefined, now = Date.now()): void {
  if (claims?.exp !== undefined && claims.exp * 1000 <= now)
    throw credentialInvalid(
      `${PROVIDER_ID}: the access token expired on ${new Date(claims.exp * 1000).toISOString()}; paste the refresh_token from www.kimi.com's localStorage instead`,
      { provider: PROVIDER_ID },
    )
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16)
}
