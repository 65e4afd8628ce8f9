// Google's error body {"error":{code, message, status, details[]}} → the failure class. Google's
// status word decides; a bad key comes back as a 400 INVALID_ARGUMENT with reason API_KEY_INVALID.
import {
  type UpstreamError,
  type UpstreamErrorOptions,
  credentialInvalid,
  errorFromStatus,
  invalidRequest,
  rateLimited,
  upstreamTimeout,
  upstreamUnavailable,
} from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { maskSecretsIn } from '../../src/kit/log.js'

type Classifier = (message: string, o?: UpstreamErrorOptions) => UpstreamError

const byStatus = new Map<string, Classifier>([
  ['UNAUTHENTICATED', credentialInvalid],
  ['PERMISSION_DENIED', credentialInvalid],
  ['RESOURCE_EXHAUSTED', rateLimited],
  ['UNAVAILABLE', upstreamUnavailable],
  ['INTERNAL', upstreamUnavailable],
  ['DEADLINE_EXCEEDED', upstreamTimeout],
  ['INVALID_ARGUMENT', invalidRequest],
  ['NOT_FOUND', invalidRequest],
  ['FAILED_PRECONDITION', invalidRequest],
])

const BAD_KEY = /API key not valid|API_KEY_INVALID|API key expired/i

/** RetryInfo's retryDelay ("30s") in milliseconds. */
function retryDelayOf(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined
  for (const d of details) {
    const m = /^(\d+(?:\.\d+)?)s$/.exec(String(asObject(d)?.retryDelay ?? ''))
    if (m) return Math.round(Number(m[1]) * 1000)
  }
  return undefined
}

export function geminiError(provider: string, status: number | undefined, error: unknown, retryAfterMs?: number): UpstreamError {
  const err = asObject(error)
  const word = typeof err?.status === 'string' ? err.status : undefined
  const text = maskSecretsIn(String(err?.message ?? '').slice(0, 300)) || (status ? `HTTP ${status}` : 'error')
  const message = `${provider}: ${text}${word ? ` (${word})` : ''}`
  const code = status ?? (typeof err?.code === 'number' ? err.code : undefined)
  const wait = retryAfterMs ?? retryDelayOf(err?.details)
  const o: UpstreamErrorOptions = { provider, ...(code ? { upstreamStatus: code } : {}), ...(wait !== undefined ? { retryAfterMs: wait } : {}) }
  if (BAD_KEY.test(text) || JSON.stringify(err?.details ?? '').includes('API_KEY_INVALID')) return credentialInvalid(message, o)
  const classify = word ? byStatus.get(word) : undefined
  if (classify) return classify(message, o)
  return code ? errorFromStatus(code, message, o) : upstreamUnavailable(message, o)
}

/** The error object inside a failure body, or a text stand-in when it is not Google's JSON. */
export function errorObjectOf(body: string): unknown {
  const inner = asObject(tryJson(body))?.error
  if (asObject(inner)) return inner
  const trimmed = body.trim()
  return { message: trimmed.startsWith('<') ? 'HTML page instead of an API response' : trimmed }
}
