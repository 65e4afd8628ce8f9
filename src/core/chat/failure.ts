// Why a chat turn failed, as a kind. The core decides the kind (and the HTTP status every door
// agrees on); each door renders it in its own error shape through src/http/failures.ts.
import { type FailureKind, UpstreamError } from '../../kit/errors.js'
import { RelayFailure } from '../relay.js'

export type ChatFailureKind =
  | FailureKind
  /** Every credential of every candidate is unusable (invalid, cooling, busy) or none exists. */
  | 'no_credential'
  | 'model_not_found'
  /** The caller may not do this (model not allowed for the key, acting for another user, unpriced model). */
  | 'permission'
  /** The user's token balance cannot cover the request. */
  | 'balance'
  | 'session_busy'
  | 'session_not_found'
  /** The client went away. */
  | 'aborted'
  /** A bug or a local failure that is nobody's request and no upstream's answer. */
  | 'internal'
  /** The relay is stopping and ended the answer (its grace period ran out). */
  | 'shutting_down'

export interface FailureDetail {
  /** The request field at fault, for invalid_request. */
  param?: string
  /** A finer machine-readable reason, e.g. model_not_priced; doors may show it as their code. */
  code?: string
  upstreamStatus?: number
  retryAfterMs?: number
  /** What an internal failure came from, for the log only. */
  cause?: unknown
}

export class ChatFailure extends Error {
  constructor(
    readonly kind: ChatFailureKind,
    message: string,
    readonly detail: FailureDetail = {},
  ) {
    super(message)
    this.name = 'ChatFailure'
  }

  /** The status every door answers with (a door may still choose another wire shape). */
  get status(): number {
    return statusOfKind(this.kind, this.detail.upstreamStatus)
  }

  /** Any error as a failure: typed upstream errors keep their kind, the rest is internal. */
  static from(err: unknown): ChatFailure {
    if (err instanceof ChatFailure) return err
    if (err instanceof RelayFailure) return new ChatFailure(err.kind, err.message, detailOf(err.upstreamStatus))
    if (err instanceof UpstreamError) {
      return new ChatFailure(err.kind, err.message, {
        ...detailOf(err.upstreamStatus),
        ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
      })
    }
    // A bug's own message may carry anything; the client gets a plain one, the log the cause.
    return new ChatFailure('internal', 'internal error', { cause: err })
  }
}

const detailOf = (upstreamStatus: number | undefined): FailureDetail => (upstreamStatus === undefined ? {} : { upstreamStatus })

const STATUS: Record<ChatFailureKind, number> = {
  invalid_request: 400,
  not_supported: 400,
  permission: 403,
  model_not_found: 404,
  session_not_found: 404,
  balance: 402,
  session_busy: 409,
  rate_limited: 429,
  quota_exhausted: 429,
  aborted: 499,
  internal: 500,
  unavailable: 502,
  protocol: 502,
  credential_invalid: 503,
  no_credential: 503,
  shutting_down: 503,
  timeout: 504,
}

/** An upstream's own 404/422 for a bad request is passed on as it was. */
export function statusOfKind(kind: ChatFailureKind, upstreamStatus?: number): number {
  if (kind === 'invalid_request' && (upstreamStatus === 404 || upstreamStatus === 422)) return upstreamStatus
  return STATUS[kind]
}
