// Pure classification of Kimi failures into the kit's typed errors, for both protocols.
import {
  type UpstreamError,
  credentialInvalid,
  errorFromStatus,
  invalidRequest,
  protocolError,
  quotaExhausted,
  rateLimited,
  upstreamTimeout,
  upstreamUnavailable,
} from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { maskSecretsIn } from '../../src/kit/log.js'
import { PROVIDER_ID } from './constants.js'

const opts = { provider: PROVIDER_ID }

/** A Connect error code (trailer, error frame or unary error body) → failure class. */
export function connectFailure(code: string | undefined, message: string | undefined): UpstreamError {
  const text = `${PROVIDER_ID}: ${code ?? 'unknown'}${message ? ` — ${maskSecretsIn(message).slice(0, 300)}` : ''}`
  switch (code) {
    case 'unauthenticated':
    case 'permission_denied':
      return credentialInvalid(text, opts)
    case 'resource_exhausted':
      return /quota|credit|额度/i.test(message ?? '') ? quotaExhausted(text, opts) : rateLimited(text, opts)
    case 'invalid_argument':
    case 'not_found':
    case 'failed_precondition':
    case 'out_of_range':
      return invalidRequest(text, opts)
    case 'deadline_exceeded':
      return upstreamTimeout(text, opts)
    default:
      return upstreamUnavailable(text, opts)
  }
}

/** A non-2xx or wrongly typed HTTP answer to a Connect call. */
export function connectHttpFailure(status: number, contentType: string, text: string): UpstreamError {
  if (/text\/html/i.test(contentType) || text.trimStart().startsWith('<'))
    return protocolError(`${PROVIDER_ID}: got an HTML page (status ${status}) instead of a Connect stream`, {
      ...opts,
      upstreamStatus: status,
    })
  const body = asObject(tryJson(text))
  const err = (body?.error ?? body) as { code?: unknown; message?: unknown } | undefined
  if (typeof err?.code === 'string') return connectFailure(err.code, typeof err.message === 'string' ? err.message : undefined)
  if (status >= 200 && status < 300)
    return protocolError(`${PROVIDER_ID}: expected ${'application/connect+json'} but got ${contentType || 'no content type'}`, opts)
  return errorFromStatus(status, `${PROVIDER_ID}: HTTP ${status}`, opts)
}

/** Legacy REST errors: HTTP status plus `{error_type, message}`. */
export function legacyFailure(status: number, text: string): UpstreamError {
  const body = asObject(tryJson(text))
  const type = typeof body?.error_type === 'string' ? body.error_type : ''
  const message = maskSecretsIn(String(body?.message ?? '')).slice(0, 300)
  const label = `${PROVIDER_ID}: ${type || `HTTP ${status}`}${message ? ` — ${message}` : ''}`
  // chat.user_stream_pushing: this account is already streaming an answer.
  const html = text.trimStart().startsWith('<')
  if (type === 'chat.user_stream_pushing' || status === 429) return rateLimited(label, { ...opts, upstreamStatus: status })
  // A 403 HTML page is a CDN or firewall (challenge, block page), not the API judging the token.
  if (type === 'auth.token.invalid' || status === 401 || (status === 403 && !html))
    return credentialInvalid(label, { ...opts, upstreamStatus: status })
  if (html) return protocolError(`${PROVIDER_ID}: got an HTML page (status ${status}) instead of JSON`, { ...opts, upstreamStatus: status })
  if (!body) return protocolError(`${PROVIDER_ID}: unreadable answer (status ${status})`, opts)
  return errorFromStatus(status >= 400 ? status : 502, label, opts)
}
