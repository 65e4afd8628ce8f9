// Qwen credentials. Qianwen and Tongyi take the Aliyun login ticket cookie (plus XSRF-TOKEN and
// b-user-id when the user copied the whole jar); chat.qwen.ai takes the `token` JWT and, because
// it refuses bare tokens, the rest of the browser cookies too, or `email:password` (login-intl.ts).
import { randomUUID } from 'node:crypto'
import { type CookieJar, cookieHeader, parseCookieJar, readPastedCookies } from '../../src/kit/cookie-jar.js'
import { invalidRequest } from '../../src/kit/errors.js'
import { INTL_LOGIN_FORM, PROVIDER_ID, type Site, TICKET_COOKIES } from './constants.js'

/** Long tickets are `login_aliyunid_ticket`s, short ones `tongyi_sso_ticket`s (peer rule). */
const ticketName = (value: string) => (value.length > 100 ? 'login_aliyunid_ticket' : 'tongyi_sso_ticket')

export function ticketOf(jar: CookieJar): string | undefined {
  for (const name of TICKET_COOKIES) if (jar.get(name)) return jar.get(name)
  return undefined
}

export function normalizeSecret(site: Site, raw: string): string {
  const pasted = readPastedCookies(raw)
  if (site === 'intl') {
    // The login form, kept as pasted: login-intl.ts signs in with it.
    if (INTL_LOGIN_FORM.test(raw.trim())) return raw.trim()
    const jar = 'jar' in pasted ? pasted.jar : new Map([['token', pasted.value]])
    if (!jar.get('token')) throw invalidRequest(`${PROVIDER_ID}: chat.qwen.ai needs the \`token\` cookie (or its localStorage value)`)
    return cookieHeader(jar)
  }
  const jar = 'jar' in pasted ? pasted.jar : new Map([[ticketName(pasted.value), pasted.value]])
  if (!ticketOf(jar) || /[\s;]/.test(ticketOf(jar)!))
    throw invalidRequest(`${PROVIDER_ID}: the cookie has no tongyi_sso_ticket or login_aliyunid_ticket`)
  return cookieHeader(jar)
}

export function jarOf(secret: string): CookieJar {
  if (secret.includes('=')) return parseCookieJar(secret)
  return new Map([[ticketName(secret), secret]])
}

/** Tongyi wants a few fixed cookies next to the ticket, and a per-client `t`. */
export function tongyiCookie(jar: CookieJar, state: Readonly<Record<string, unknown>>): { cookie: string; clientId?: string } {
  const out = new Map(jar)
  out.set('aliyun_choice', jar.get('aliyun_choice') ?? 'intl')
  out.set('_samesite_flag_', jar.get('_samesite_flag_') ?? 'true')
  let clientId: string | undefined
  if (!out.has('t')) {
    const saved = state.tongyiClientId
    const t = typeof saved === 'string' ? saved : randomUUID().replace(/-/g, '')
    if (t !== saved) clientId = t
    out.set('t', t)
  }
  return { cookie: cookieHeader(out), ...(clientId ? { clientId } : {}) }
}
