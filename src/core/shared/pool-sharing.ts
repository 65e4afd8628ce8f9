// What the credential pool asks of shared pool state (implemented on Redis by pool-sync.ts), kept
// apart so the pool needs nothing of Redis: without REDIS_URL there is no sharing at all.
import type { Credential } from '../../db/credentials.repo.js'
import type { CredentialChange } from '../credential-store.js'

/**
 * Pool state several instances share (pool-sync.ts, on Redis); absent on a single
 * instance. The pool tells it what changed here and asks it for slots; it applies what the other
 * instances changed through adopt(), adoptPair(), wake() and reload().
 */
export interface PoolSharing {
  changed(c: Credential, change: CredentialChange): void
  /** A credential and model pair tripped (cooling until) or healed (undefined). */
  pairChanged(id: number, model: string, pair: { failures: number; until: number } | undefined): void
  /** One of the credential's slots across instances: a lease id; null when others hold them all; undefined without Redis. */
  takeSlot(c: Credential, limit: number): Promise<string | null | undefined>
  releaseSlot(slot: string, c: Credential): void
  /** Other instances held every slot of this credential a moment ago: skip it for now. */
  full(id: number): boolean
  exclusive<T>(c: Credential, reloaded: () => void, work: () => Promise<T>): Promise<T>
  /** A credential of this provider was added, removed, or given a new secret or remark here (and is stored). */
  credentialsChanged(provider: string): void
}
