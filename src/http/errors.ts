// One error class that renders itself in OpenAI's shape, and the mapping from core failures.
import type { UpstreamError } from '../kit/errors.js'
import type { Logger } from '../kit/log.js'
import { RelayFailure, statusOfFailure } from '../core/relay.js'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  body() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } }
  }

  static badRequest(message: string, param: string | null = null, code: string | null = null) {
    return new ApiError(400, message, 'invalid_request_error', code, param)
  }
  static unauthorized(message: string) {
    return new ApiError(401, message, 'authentication_error', 'invalid_api_key')
  }
  static forbidden(message: string) {
    return new ApiError(403, message, 'permission_error', 'model_not_allowed')
  }
  static notFound(message: string, code = 'not_found') {
    return new ApiError(404, message, 'invalid_request_error', code)
  }
  static tooLarge(limit: number) {
    return new ApiError(413, `request body exceeds ${limit} bytes`, 'invalid_request_error', 'request_too_large')
  }
}

const typeOfStatus = (status: number) =>
  status === 429 ? 'rate_limit_error' : status === 400 || status === 404 ? 'invalid_request_error' : 'api_error'

const codeOfKind: Record<string, string> = {
  rate_limited: 'rate_limit_exceeded',
  quota_exhausted: 'insufficient_quota',
  timeout: 'upstream_timeout',
  unavailable: 'upstream_error',
  protocol: 'upstream_protocol_error',
  credential_invalid: 'no_available_credential',
  no_credential: 'no_available_credential',
  invalid_request: 'invalid_request',
  not_supported: 'not_supported',
  internal: 'internal_error',
}

/** Status for a failure the client should see; upstream 4xx client errors keep their status. */
export function fromFailure(f: RelayFailure | UpstreamError): ApiError {
  let status: number
  if (f.kind === 'invalid_request') status = f.upstreamStatus === 404 || f.upstreamStatus === 422 ? f.upstreamStatus : 400
  else if (f.kind === 'not_supported') status = 400
  else status = statusOfFailure(f.kind)
  const type = f.kind === 'quota_exhausted' ? 'insufficient_quota' : typeOfStatus(status)
  return new ApiError(status, f.message, type, codeOfKind[f.kind] ?? null)
}

export function isFailure(err: unknown): err is RelayFailure | UpstreamError {
  return err instanceof RelayFailure || (err instanceof Error && err.name === 'UpstreamError')
}

/** What a handler threw, as the error the client gets; anything unexpected is logged and hidden. */
export function toApiError(err: unknown, log: Logger): ApiError {
  if (err instanceof ApiError) return err
  log.error(`unhandled error: ${(err as Error)?.stack ?? String(err)}`)
  return new ApiError(500, 'internal error', 'server_error', 'internal_error')
}
