// Typed upstream failures. The class tells the pool what to do with the credential and the
// HTTP layer which status and OpenAI error type to render.

export type FailureKind =
  | 'credential_invalid' // disable the credential, try the next one
  | 'rate_limited' // cool the credential down, try the next one
  | 'quota_exhausted' // out of credit: cool down for long, try the next one
  | 'unavailable' // transient upstream trouble: try another credential
  | 'timeout' // upstream too slow: try another credential
  | 'protocol' // upstream answered something we cannot read (challenge page, wrong envelope)
  | 'invalid_request' // the client's fault: never retried
  | 'not_supported' // this upstream cannot do what was asked: never retried
  | 'internal' // our own code failed (a bug, a stack overflow), not the upstream: never retried or counted

export interface UpstreamErrorOptions {
  provider?: string
  upstreamStatus?: number
  /** For rate limits: how long the upstream asked us to wait. */
  retryAfterMs?: number
  cause?: unknown
}

export class UpstreamError extends Error {
  readonly kind: FailureKind
  provider: string | undefined
  readonly upstreamStatus: number | undefined
  readonly retryAfterMs: number | undefined

  constructor(kind: FailureKind, message: string, options: UpstreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'UpstreamError'
    this.kind = kind
    this.provider = options.provider
    this.upstreamStatus = options.upstreamStatus
    this.retryAfterMs = options.retryAfterMs
  }

  /** May the same request be tried again on another credential or provider? */
  get retryable(): boolean {
    return this.kind !== 'invalid_request' && this.kind !== 'not_supported' && this.kind !== 'internal'
  }
}

export const credentialInvalid = (message: string, o?: UpstreamErrorOptions) =>
  new UpstreamError('credential_invalid', message, o)
export const rateLimited = (message: string, o?: UpstreamErrorOptions) => new UpstreamError('rate_limited', message, o)
export const quotaExhausted = (message: string, o?: UpstreamErrorOptions) =>
  new UpstreamError('quota_exhausted', message, o)
export const upstreamUnavailable = (message: string, o?: UpstreamErrorOptions) =>
  new UpstreamError('unavailable', message, o)
export const upstreamTimeout = (message: string, o?: UpstreamErrorOptions) => new UpstreamError('timeout', message, o)
export const protocolError = (message: string, o?: UpstreamErrorOptions) => new UpstreamError('protocol', message, o)
export const invalidRequest = (message: string, o?: UpstreamErrorOptions) =>
  new UpstreamError('invalid_request', message, o)
export const notSupported = (message: string, o?: UpstreamErrorOptions) => new UpstreamError('not_supported', message, o)
export const internalError = (message: string, o?: UpstreamErrorOptions) => new UpstreamError('internal', message, o)

/** The chat of a provider that only makes media (video, music): every call is refused, naming what it makes. */
export const mediaOnlyChat = (name: string, makes: string) =>
  // biome-ignore lint/correctness/useYield: a media-only provider answers no chat
  async function* (): AsyncGenerator<never> {
    throw notSupported(`${name}: makes ${makes} only; use the media routes`, { provider: name })
  }

/** One place that turns an upstream HTTP status into a failure class (openai-node style). */
export function errorFromStatus(status: number, message: string, o: UpstreamErrorOptions = {}): UpstreamError {
  const opts = { ...o, upstreamStatus: status }
  if (status === 401 || status === 403) return credentialInvalid(message, opts)
  if (status === 402) return quotaExhausted(message, opts)
  if (status === 429) return rateLimited(message, opts)
  if (status === 408 || status === 504) return upstreamTimeout(message, opts)
  if (status === 400 || status === 404 || status === 413 || status === 422) return invalidRequest(message, opts)
  return upstreamUnavailable(message, opts)
}

/** Parse a Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value
  if (!v) return undefined
  const seconds = Number(v)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(v)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export function isAbortError(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === 'AbortError' || (err as { code?: string }).code === 'UND_ERR_ABORTED' || err.name === 'TimeoutError')
  )
}
