// chat.z.ai credentials: the `token` JWT from the site's localStorage or cookie (its `id` claim
// is the user id the signature covers), optionally with a captcha token the operator got from a
// browser session. Stored as the bare JWT, or as JSON when a captcha token comes with it.
import { credentialInvalid, invalidRequest } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { decodeJwtPayload, parseCookieHeader, pickPastedValue } from '../../src/kit/pasted-secret.js'
import { PROVIDER_ID } from './constants.js'

export interface ZaiCredential {
  token: string
  userId: string
  /** Aliyun CaptchaV3 token (`captcha_verify_param`), when the operator pasted one. */
  captcha?: string
}

const CAPTCHA_NAMES = ['captcha_verify_param', 'captchaVerifyParam', 'captcha'] as const

function userIdOf(token: string): string | undefined {
  const id = decodeJwtPayload(token)?.id
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}

function captchaIn(raw: string): string | undefined {
  const json = asObject(tryJson(raw.trim()))
  for (const n of CAPTCHA_NAMES) {
    const v = json?.[n]
    if (typeof v === 'string' && v.trim()) return v.trim()
  }
  if (json) return undefined
  const cookies = parseCookieHeader(raw)
  for (const n of CAPTCHA_NAMES) if (cookies.get(n)) return cookies.get(n)
  return undefined
}

/**
 * What operators paste: the JWT, `token=<jwt>` (with other cookies), or JSON such as
 * `{"token":"…","captcha_verify_param":"…"}`; a captcha token may ride along in the last two.
 */
export function normalizeZaiSecret(raw: string): string {
  const token = pickPastedValue(raw, ['token'])
  if (!userIdOf(token))
    throw invalidRequest(`${PROVIDER_ID}: not a chat.z.ai token (copy localStorage "token" or the token cookie of chat.z.ai)`)
  const captcha = captchaIn(raw)
  return captcha ? JSON.stringify({ token, captcha_verify_param: captcha }) : token
}

export function readZaiCredential(secret: string): ZaiCredential {
  const json = secret.startsWith('{') ? asObject(tryJson(secret)) : undefined
  const token = typeof json?.token === 'string' ? json.token : secret
  const captcha = typeof json?.captcha_verify_param === 'string' ? json.captcha_verify_param : undefined
  const userId = userIdOf(token)
  if (!userId) throw credentialInvalid(`${PROVIDER_ID}: the stored chat.z.ai token has no user id claim`, { provider: PROVIDER_ID })
  return { token, userId, ...(captcha ? { captcha } : {}) }
}
