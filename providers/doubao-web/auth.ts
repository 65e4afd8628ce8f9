// Doubao credentials: the browser cookie jar (at least `sessionid`) and the per-credential device
// identity the web client would have. Nothing here is signed: a_bogus / msToken are never invented
// because random values fail validation and can push the account into a refresh loop.
import { randomBytes, randomInt } from 'node:crypto'
import { type CookieJar, cookieHeader, parseCookieJar, readPastedCookies } from '../../src/kit/cookie-jar.js'
import { invalidRequest } from '../../src/kit/errors.js'
import { PROVIDER_ID } from './constants.js'

const SESSION_NAMES = ['sessionid', 'sessionid_ss', 'sid_tt'] as const

/** `sid_guard` is `<sid>|<issued>|<ttl>|<expiry>`, URL-encoded. */
function sessionFromGuard(guard: string | undefined): string | undefined {
  if (!guard) return undefined
  let decoded = guard
  try {
    decoded = decodeURIComponent(guard)
  } catch {
    // a half-encoded value: its first field is still the session id
  }
  return decoded.split('|')[0]?.trim() || undefined
}

export function sessionIdOf(jar: CookieJar): string | undefined {
  for (const name of SESSION_NAMES) if (jar.get(name)) return jar.get(name)
  return sessionFromGuard(jar.get('sid_guard'))
}

/** Turn what a user pastes into a canonical cookie header that contains a session. */
export function normalizeSecret(raw: string): string {
  const pasted = readPastedCookies(raw)
  const jar = 'jar' in pasted ? pasted.jar : new Map([['sessionid', pasted.value]])
  const sid = sessionIdOf(jar)
  if (!sid || /[\s;]/.test(sid)) throw invalidRequest(`${PROVIDER_ID}: the cookie has no sessionid (copy it from www.doubao.com, or www.dola.com with site: dola)`)
  if (!jar.has('sessionid')) jar.set('sessionid', sid)
  return cookieHeader(jar)
}

/** The Cookie header for a call: the user's jar plus the session aliases the web app sets. */
export function requestCookie(secret: string): { cookie: string; jar: CookieJar } {
  const jar = parseCookieJar(secret.includes('=') ? secret : `sessionid=${secret}`)
  const sid = sessionIdOf(jar)
  if (sid) for (const name of SESSION_NAMES) if (!jar.has(name)) jar.set(name, sid)
  return { cookie: cookieHeader(jar), jar }
}

export function csrfTokenOf(jar: CookieJar): string | undefined {
  return jar.get('passport_csrf_token') ?? jar.get('passport_csrf_token_default')
}

export interface DeviceIdentity {
  deviceId: string
  webId: string
  /** `s_v_web_id` browser fingerprint id. */
  fp: string
}

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('')
const hex = (n: number) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n)

/**
 * Device ids are not signatures: the web app mints them once per browser, so we mint them once
 * per credential and keep them in its state. A real `s_v_web_id` cookie always wins.
 */
export function deviceIdentity(
  jar: CookieJar,
  state: Readonly<Record<string, unknown>>,
): { identity: DeviceIdentity; created: Partial<DeviceIdentity> } {
  const created: Partial<DeviceIdentity> = {}
  const pick = (key: keyof DeviceIdentity, make: () => string): string => {
    const saved = state[key]
    if (typeof saved === 'string' && saved) return saved
    const value = make()
    created[key] = value
    return value
  }
  const deviceId = pick('deviceId', () => `7${digits(18)}`)
  const webId = pick('webId', () => `7${digits(18)}`)
  const realFp = jar.get('s_v_web_id')
  const fp = realFp ?? pick('fp', () => `verify_${hex(10)}_${hex(10)}_${hex(8)}_${hex(8)}_${hex(8)}_${hex(20)}`)
  return { identity: { deviceId, webId, fp }, created }
}
