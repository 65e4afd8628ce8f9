// How a relayed call failed, as the typed failure the pool and the chat turn act on.
import { UpstreamError, internalError, protocolError } from '../kit/errors.js'

/** Every candidate failed before the first event. */
export class RelayFailure extends Error {
  constructor(
    message: string,
    readonly kind: UpstreamError['kind'] | 'no_credential',
    readonly upstreamStatus?: number,
  ) {
    super(message)
    this.name = 'RelayFailure'
  }
}

/**
 * What a call threw, as a typed failure. Only the upstream's own failures count against a
 * credential: the kit reports network trouble and HTTP statuses as UpstreamError, and a body that
 * does not parse (SyntaxError from JSON.parse of what the upstream sent) is its protocol failure.
 * Anything else (a TypeError, a stack overflow while serializing the request) is our own
 * 'internal' failure: never retried on another credential, never counted against one.
 */
export function asUpstreamError(err: unknown, provider: string): UpstreamError {
  if (err instanceof UpstreamError) {
    err.provider ??= provider
    return err
  }
  if (err instanceof SyntaxError) return protocolError(`${provider} sent an unreadable answer: ${err.message}`, { provider, cause: err })
  return internalError(`internal error while calling ${provider}`, { provider, cause: err })
}
