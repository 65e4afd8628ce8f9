// Doubao / Dola failures as classes the pool acts on: JSON envelopes, HTML pages, stream errors,
// and the slider captcha that hides behind a "rate limited" message.
import { asObject, tryJson } from '../../src/kit/json.js'
import { type UpstreamError, credentialInvalid, protocolError, quotaExhausted, rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import { PROVIDER_ID, VERIFY_CODE, VERIFY_COOLDOWN_MS } from './constants.js'

const provider = PROVIDER_ID

const CONTENT_FILTER = /敏感|违规|不合规|违反|sensitive|content.?(filter|policy|security)/i
const RATE_LIMIT = /频繁|限流|too (many|fast)|rate.?limit|稍后再试/i
const LOGGED_OUT = /登录|login|session.?(expired|invalid)|sessionid|过期|unauthori[sz]ed|invalid.?token/i
const OUT_OF_QUOTA = /额度|quota|credit|次数已用完|用完/i

/** The risk-control decision inside `error_detail.ext.decision` (a JSON string), when there is one. */
export function verifyDecisionOf(detail: unknown): string | undefined {
  const decision = asObject(tryJson(asObject(asObject(detail)?.ext)?.decision))
  if (decision?.type !== 'verify') return undefined
  return typeof decision.subtype === 'string' ? decision.subtype : 'verify'
}

/**
 * The site wants a person to solve a captcha. It is not a plain rate limit: waiting does not
 * clear it. The credential rests (rate_limited with a long pause, so the pool tries the others)
 * and the message, which the pool logs and keeps as the credential's last error, says what to do.
 */
export function verificationRequired(code: unknown, subtype: string | undefined, status?: number): UpstreamError {
  const what = subtype === 'slide' || subtype === undefined ? 'a slider captcha' : `a "${subtype}" check`
  return rateLimited(
    `${provider}: verification required: the site asks for ${what} (code ${String(code ?? VERIFY_CODE)}). ` +
      'Open the site in a browser logged in with this account, send a message and pass the check; ' +
      `the credential rests ${VERIFY_COOLDOWN_MS / 60_000} min meanwhile`,
    { provider, upstreamStatus: status, retryAfterMs: VERIFY_COOLDOWN_MS },
  )
}

/** Error code + message (+ error_detail) from any Doubao envelope, as a failure class. */
export function classifyError(code: unknown, message: string, status?: number, detail?: unknown): UpstreamError {
  const text = `${provider}: ${message || 'upstream error'}${code !== undefined ? ` (code ${String(code)})` : ''}`
  const o = { provider, upstreamStatus: status }
  const subtype = verifyDecisionOf(detail)
  if (Number(code) === VERIFY_CODE || subtype) return verificationRequired(code, subtype, status)
  if (status === 429 || RATE_LIMIT.test(message)) return rateLimited(text, o)
  if (status === 401 || status === 403 || LOGGED_OUT.test(message)) return credentialInvalid(text, o)
  if (OUT_OF_QUOTA.test(message)) return quotaExhausted(text, o)
  if (Number(code) === -2001) return upstreamUnavailable(`${text}; the account may be banned`, o)
  return upstreamUnavailable(text, o)
}

export const isContentFilter = (message: string) => CONTENT_FILTER.test(message)

/** A reply that is not an event stream: a JSON envelope, or an HTML challenge page. */
export function errorFromReply(status: number, body: string): UpstreamError {
  const trimmed = body.trim()
  if (trimmed.startsWith('<'))
    return protocolError(`${provider}: got an HTML page (HTTP ${status}, likely a verification challenge) instead of an event stream`, {
      provider,
      upstreamStatus: status,
    })
  const env = asObject(tryJson(trimmed))
  if (!env) return protocolError(`${provider}: unexpected reply (HTTP ${status}) instead of an event stream`, { provider, upstreamStatus: status })
  const message = String(env.msg ?? env.message ?? env.error_msg ?? '')
  if (status < 400 && (env.code === 0 || env.code === undefined) && !message)
    return protocolError(`${provider}: JSON envelope instead of an event stream`, { provider, upstreamStatus: status })
  return classifyError(env.code ?? env.error_code, message, status >= 400 ? status : undefined, env.error_detail)
}

