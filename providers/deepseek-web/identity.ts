// Who we say we are to chat.deepseek.com: the settings that carry the browser identity, the headers
// built from them (the 2026-05 browser capture), and the cookies that may come with the token.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { cookieHeader, readPastedCookies } from '../../src/kit/cookie-jar.js'
import type { HttpResponse } from '../../src/kit/http.js'
import { parseCookieHeader, pickPastedValue } from '../../src/kit/pasted-secret.js'
import type { CallContext } from '../../src/kit/types.js'
import {
  DEFAULT_APP_VERSION,
  DEFAULT_CLIENT_VERSION,
  DEFAULT_LOCALE,
  DEFAULT_SEC_CH_UA,
  DEFAULT_USER_AGENT,
  EXTRA_COOKIES,
} from './constants.js'

export const settingsSchema = z.object({
  /** Sent as x-client-version; the server answers 40005 CLIENT_VERSION_TOO_LOW below its floor. */
  client_version: z.string().default(DEFAULT_CLIENT_VERSION),
  /** Sent as x-app-version; '' leaves the header out (builds from 2.4.0 on no longer send it). */
  app_version: z.string().default(DEFAULT_APP_VERSION),
  client_platform: z.string().default('web'),
  /** x-client-locale, in the site's underscore form (zh_CN, en_US). */
  locale: z.string().default(DEFAULT_LOCALE),
  /** x-client-timezone-offset in seconds east of UTC; unset = this host's offset. */
  timezone_offset: z.number().int().optional(),
  /** x-client-bundle-id; '' leaves it out (the 2.0.0 capture has none, 2.4.0 sends com.deepseek.chat). */
  bundle_id: z.string().default(''),
  user_agent: z.string().default(DEFAULT_USER_AGENT),
  /** The sec-ch-ua of the browser named by user_agent; '' leaves the client-hint headers out. */
  sec_ch_ua: z.string().default(DEFAULT_SEC_CH_UA),
  sec_ch_ua_platform: z.string().default('"Windows"'),
  /** Any further header, e.g. x-hif-leim when the site starts to require it; wins over the above. */
  extra_headers: z.record(z.string(), z.string()).default({}),
  /** Worker threads solving proofs of work; 0 solves on the main thread (blocks it ~0.1 s). */
  pow_workers: z.number().int().min(0).max(16).default(1),
  /** How many times an INCOMPLETE answer is resumed with /chat/continue. */
  max_continues: z.number().int().min(0).max(32).default(8),
  /** Vision uploads: how often /file/fetch_files is asked, and how long before sending anyway. */
  upload_poll_ms: z.number().int().min(10).default(1000),
  upload_wait_ms: z.number().int().min(0).default(30_000),
})
export type DeepseekSettings = z.infer<typeof settingsSchema>
type Ctx = CallContext<DeepseekSettings>

type CookieName = (typeof EXTRA_COOKIES)[number]
const isExtraCookie = (name: string): name is CookieName => (EXTRA_COOKIES as readonly string[]).includes(name)
const USER_TOKEN_PAIR = /(?:^|;\s*)userToken=/

/** The stored secret: the bare token, or `userToken=<t>; ds_session_id=…; aws-waf-token=…`. */
export function splitSecret(secret: string): { token: string; cookies: Map<string, string> } {
  if (!USER_TOKEN_PAIR.test(secret)) return { token: secret, cookies: new Map() }
  const pairs = parseCookieHeader(secret)
  const cookies = new Map([...pairs].filter(([name]) => isExtraCookie(name)))
  return { token: pairs.get('userToken') ?? '', cookies }
}

/** The known extra cookies in a paste: a cookie header, or a JSON object (maybe with a `cookie` string). */
function pastedCookies(raw: string): Map<string, string> {
  const pasted = readPastedCookies(raw)
  if (!('jar' in pasted)) return new Map()
  const all = new Map(pasted.jar)
  for (const key of ['cookie', 'cookies']) {
    const header = all.get(key)
    if (header) for (const [k, v] of parseCookieHeader(header)) if (!all.has(k)) all.set(k, v)
  }
  return new Map([...all].filter(([name]) => isExtraCookie(name)))
}

/**
 * Accepts the bare token, `userToken=...`, `Bearer ...`, the localStorage JSON `{"value":"..."}`,
 * and any of them together with ds_session_id / aws-waf-token (as cookie pairs or JSON keys).
 */
export function normalizeSecret(raw: string): string {
  const cookies = pastedCookies(raw)
  const token = pickPastedValue(raw, ['userToken', 'value', 'token'])
  if (!cookies.size) return token
  return cookieHeader(new Map([['userToken', token], ...cookies]))
}

/**
 * Cookies the server set since the paste, kept in the state with a fingerprint of the secret they
 * followed: a fresh paste (new secret) starts again from what was pasted.
 */
interface SavedCookies {
  secret: string
  values: Record<string, string>
}

const fingerprint = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 16)

function savedCookies(ctx: Ctx): Record<string, string> {
  const saved = ctx.credential.state.cookies as SavedCookies | undefined
  return saved?.secret === fingerprint(ctx.credential.secret) ? { ...saved.values } : {}
}

/** Pasted cookies, overlaid by the newer values the server set since. */
function cookiesOf(ctx: Ctx): string {
  const jar = splitSecret(ctx.credential.secret).cookies
  for (const [k, v] of Object.entries(savedCookies(ctx))) jar.set(k, v)
  return cookieHeader(jar)
}

/** Keep cookies the server rotates (ds_session_id) so the next call sends the current value. */
export function rememberCookies(ctx: Ctx, res: HttpResponse): void {
  const raw = res.headers['set-cookie']
  const lines = Array.isArray(raw) ? raw : raw ? [raw] : []
  const values = savedCookies(ctx)
  let changed = false
  for (const line of lines) {
    const [pair = ''] = line.split(';')
    const eq = pair.indexOf('=')
    const name = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    if (eq > 0 && isExtraCookie(name) && value && values[name] !== value) {
      values[name] = value
      changed = true
    }
  }
  if (changed) ctx.saveState({ cookies: { secret: fingerprint(ctx.credential.secret), values } satisfies SavedCookies })
}

/** Headers of every API call; the referer names the chat page once a session exists. */
export function browserHeaders(ctx: Ctx, token: string, sessionId?: string): Record<string, string> {
  const s = ctx.settings
  const origin = new URL(s.base_url).origin
  const h: Record<string, string> = {
    accept: '*/*',
    authorization: `Bearer ${token}`,
    origin,
    referer: sessionId ? `${origin}/a/chat/s/${sessionId}` : `${origin}/`,
    'user-agent': s.user_agent,
    'x-client-platform': s.client_platform,
    'x-client-version': s.client_version,
    'x-client-locale': s.locale,
    'x-client-timezone-offset': String(s.timezone_offset ?? -new Date().getTimezoneOffset() * 60),
    'sec-fetch-dest': 'empty',
    'sec-fetch-mode': 'cors',
    'sec-fetch-site': 'same-origin',
  }
  if (s.app_version) h['x-app-version'] = s.app_version
  if (s.bundle_id) h['x-client-bundle-id'] = s.bundle_id
  if (s.sec_ch_ua) Object.assign(h, { 'sec-ch-ua': s.sec_ch_ua, 'sec-ch-ua-mobile': '?0', 'sec-ch-ua-platform': s.sec_ch_ua_platform })
  const cookie = cookiesOf(ctx)
  if (cookie) h.cookie = cookie
  return { ...h, ...s.extra_headers }
}
