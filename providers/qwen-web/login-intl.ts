// chat.qwen.ai token login, the optional credential form `email:password`: sign in with the
// password's SHA-256 hex (what the site's own form sends), keep the JWT and the cookies the answer
// set in the credential state (saved before the token is used), renew it 6 h before `exp`, and
// sign in again once when the site stops accepting it. Other credential forms pass through.
import { createHash } from 'node:crypto'
import { cookieHeader, parseCookieJar } from '../../src/kit/cookie-jar.js'
import { credentialInvalid, protocolError } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { decodeJwtPayload } from '../../src/kit/pasted-secret.js'
import { SingleFlight, acrossInstances } from '../../src/kit/single-flight.js'
import { jarOf } from './auth.js'
import { type Ctx, intlUrl } from './client.js'
import { INTL_LOGIN_FORM, INTL_RENEW_BEFORE_MS, INTL_SIGNIN_PATHS, PROVIDER_ID } from './constants.js'
import { errorFromReply } from './parse.js'

/** Without `exp` in the JWT, sign in again after a day. */
const DEFAULT_LIFETIME_MS = 24 * 3_600_000

export const isLoginSecret = (secret: string) => INTL_LOGIN_FORM.test(secret)

export const hashPassword = (password: string) => createHash('sha256').update(password, 'utf8').digest('hex')

/** The browser's `Date().toString()` without the "(zone name)" tail, as the site's Timezone header. */
export const timezoneHeader = (now = new Date()) => now.toString().replace(/\s*\(.*\)\s*$/, '')

export interface IntlSession {
  token: string
  /** The Cookie header to send. */
  cookie: string
}

interface SavedLogin {
  token: string
  cookie: string
  expiresAt: number
}

const logins = new SingleFlight<SavedLogin>()

function setCookies(raw: string | string[] | undefined): Map<string, string> {
  const lines = Array.isArray(raw) ? raw : raw ? [raw] : []
  return parseCookieJar(lines.map((l) => l.split(';')[0]).join('; '))
}

async function signIn(ctx: Ctx, email: string, password: string): Promise<SavedLogin> {
  const headers = {
    accept: 'application/json',
    source: 'web',
    version: ctx.settings.intl_version,
    timezone: timezoneHeader(),
    origin: intlUrl(ctx),
    referer: `${intlUrl(ctx)}/auth`,
  }
  for (const path of INTL_SIGNIN_PATHS) {
    const res = await ctx.http.request(`${intlUrl(ctx)}${path}`, {
      method: 'POST',
      headers,
      json: { email, password: hashPassword(password) },
      signal: ctx.signal,
    })
    const text = await res.text()
    if (res.status === 404 || res.status === 405) continue
    const body = asObject(tryJson(text))
    const token = asObject(body?.data)?.token ?? body?.token
    if (res.status === 401 || res.status === 403 || body?.success === false)
      throw credentialInvalid(`${PROVIDER_ID}: chat.qwen.ai refused the e-mail and password`, { provider: PROVIDER_ID, upstreamStatus: res.status })
    if (res.status >= 300 || typeof token !== 'string' || !token) throw errorFromReply('intl', res.status, text)
    const jar = setCookies(res.headers['set-cookie'])
    jar.set('token', token)
    const exp = Number(decodeJwtPayload(token)?.exp)
    return { token, cookie: cookieHeader(jar), expiresAt: Number.isFinite(exp) ? exp * 1000 : Date.now() + DEFAULT_LIFETIME_MS }
  }
  throw protocolError(`${PROVIDER_ID}: chat.qwen.ai has no sign-in endpoint (404 on v2 and v1)`, { provider: PROVIDER_ID })
}

/**
 * The token and cookies to call with: the pasted ones, or a (renewed) login kept in the state. A
 * login runs once per credential at a time, across instances too (a new sign-in may end the
 * sessions before it). `renew`: `{ rejected }` replaces a token the site refused (by the login
 * another caller stored meanwhile, else by signing in); `'always'` signs in regardless (the probe).
 */
export async function intlSession(ctx: Ctx, renew?: { rejected: string } | 'always'): Promise<IntlSession> {
  const secret = ctx.credential.secret
  const login = INTL_LOGIN_FORM.exec(secret)
  if (!login) return { token: jarOf(secret).get('token') ?? '', cookie: secret }
  const rejected = typeof renew === 'object' ? renew.rejected : undefined
  const reuse = () => {
    const saved = ctx.credential.state.intlLogin as SavedLogin | undefined
    const fresh = renew !== 'always' && saved?.token && saved.token !== rejected && saved.expiresAt - INTL_RENEW_BEFORE_MS > Date.now()
    return fresh ? saved : undefined
  }
  const cached = reuse()
  if (cached) return cached
  const key = ctx.credential.id !== null ? `id:${ctx.credential.id}` : `login:${hashPassword(secret)}`
  return logins.run(key, () =>
    // The lock re-reads the stored state: another instance may have signed in meanwhile.
    acrossInstances(ctx, async () => {
      const stored = reuse()
      if (stored) return stored
      const fresh = await signIn(ctx, login[1]!, login[2]!)
      ctx.saveState({ intlLogin: fresh })
      return fresh
    }),
  )
}
