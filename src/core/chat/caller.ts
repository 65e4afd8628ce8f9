// Who is asking: what a door learned from the request's credentials, as the core needs it.
import type { KeyLimits } from '../rate-limiter.js'

export interface Caller {
  /** Client key id; null for anonymous callers (loopback without keys, or ALLOW_ANONYMOUS). */
  keyId: number | null
  /** The user billed for the key's requests; null for keys without a user. */
  userId: string | null
  allowedModels: string[] | null
  /** May name another user (user_id) on the compatibility routes. */
  actForOthers: boolean
  /** Upstream tokens the caller sent instead of a client key (free-api convention). */
  passthroughTokens: string[]
  /** The key's limit fields, for the rate limiter (absent for anonymous callers). */
  limitKey?: KeyLimits | undefined
}
