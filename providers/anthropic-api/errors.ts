// Anthropic reports failures as {"type":"error","error":{"type","message"}}, in an HTTP error body
// or as an `error` event inside a stream. One table turns the error type into the failure class
// the pool acts on; the HTTP status decides only when the type is missing or unknown.
import {
  type UpstreamError,
  type UpstreamErrorOptions,
  credentialInvalid,
  errorFromStatus,
  invalidRequest,
  quotaExhausted,
  rateLimited,
  upstreamTimeout,
  upstreamUnavailable,
} from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { maskSecretsIn } from '../../src/kit/log.js'

type Classifier = (message: string, o?: UpstreamErrorOptions) => UpstreamError

const byType = new Map<string, Classifier>([
  ['authentication_error', credentialInvalid],
  ['permission_error', credentialInvalid],
  ['billing_error', quotaExhausted],
  ['rate_limit_error', rateLimited],
  ['overloaded_error', upstreamUnavailable],
  ['api_error', upstreamUnavailable],
  ['timeout_error', upstreamTimeout],
  ['invalid_request_error', invalidRequest],
  ['not_found_error', invalidRequest],
  ['request_too_large', invalidRequest],
])

/** Out of credit is reported as a 400 invalid_request_error; a spend cap as a 429 without retry-after. */
const OUT_OF_CREDIT = /credit balance is too low|spend(ing)? limit|usage limits?/i
const SPEND_LIMIT_CODE = 'enforced_spend_limit_reached'

export interface AnthropicFailure {
  provider: string
  status?: number
  /** The error object: {type, message, details?}. */
  error?: unknown
  retryAfterMs?: number
}

export function anthropicError(f: AnthropicFailure): UpstreamError {
  const err = asObject(f.error)
  const type = typeof err?.type === 'string' ? err.type : undefined
  const text = maskSecretsIn(String(err?.message ?? '').slice(0, 300)) || (f.status ? `HTTP ${f.status}` : 'error')
  const message = `${f.provider}: ${text}${type ? ` (${type})` : ''}`
  const opts: UpstreamErrorOptions = {
    provider: f.provider,
    ...(f.status ? { upstreamStatus: f.status } : {}),
    ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
  }
  const code = asObject(err?.details)?.error_code
  if (code === SPEND_LIMIT_CODE || (type === 'invalid_request_error' && OUT_OF_CREDIT.test(text))) return quotaExhausted(message, opts)
  const classify = type ? byType.get(type) : undefined
  if (classify) return classify(message, opts)
  return f.status ? errorFromStatus(f.status, message, opts) : upstreamUnavailable(message, opts)
}

/** The error object inside an error body, or a text stand-in when the body is not Anthropic's JSON. */
export function errorObjectOf(body: string): unknown {
  const parsed = asObject(tryJson(body))
  const inner = parsed?.error
  if (asObject(inner)) return inner
  if (typeof inner === 'string') return { message: inner }
  const trimmed = body.trim()
  return { message: trimmed.startsWith('<') ? 'HTML page instead of an API response' : trimmed }
}
