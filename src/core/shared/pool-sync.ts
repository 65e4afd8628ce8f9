// The credential pool's state, shared by every instance through Redis:
// - status changes (cooling until, invalid, active again, disabled) and credential+model pairs that
//   tripped or healed are published on the `pool` channel and applied by the others at once, and
//   kept in the `pool:status` hash, so an instance that starts later sees current cool-downs;
// - per-credential concurrency slots are leases in `slots:<id>` (leases.ts), so a crashed
//   instance's slots expire;
// - a token refresh takes `refresh:<id>` (SET NX PX): the other instances wait for it and re-read
//   the stored state instead of refreshing again;
// - a credential added, removed or given a new secret is announced on `invalidate` once stored,
//   and the others re-read that provider's credentials from the shared database.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Db } from '../../db/client.js'
import { type Credential, getCredential } from '../../db/credentials.repo.js'
import type { SecretBox } from '../../db/secret-box.js'
import type { CredentialPool } from '../credential-pool.js'
import type { CredentialChange } from '../credential-store.js'
import type { Leases } from './leases.js'
import type { PoolSharing } from './pool-sharing.js'
import type { SharedRedis } from './redis.js'

/** What is shared of a credential's status (never its secret or state). */
type StatusEntry = Pick<Credential, 'status' | 'cooldownUntil' | 'failures' | 'lastError'> & { at: number }
type PairEntry = { failures: number; until: number }

type Message =
  | { kind: 'status'; id: number; entry: StatusEntry }
  | { kind: 'pair'; id: number; model: string; pair: PairEntry | null }
  | { kind: 'slot'; id: number; provider: string }

/** On the `invalidate` channel: a provider's credentials were added, removed or edited. */
type CredentialsChange = { credentials: string }
const isCredentialsChange = (what: unknown): what is CredentialsChange =>
  typeof what === 'object' && what !== null && typeof (what as CredentialsChange).credentials === 'string'

/** After other instances held every slot, how long this one skips the credential before trying again. */
const FULL_RETRY_MS = 500
/** A refresh holding the lock longer than this is presumed dead (its instance crashed). */
const REFRESH_LOCK_MS = 30_000
const REFRESH_POLL_MS = 25

const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

export class PoolSync implements PoolSharing {
  private readonly fullUntil = new Map<number, number>()
  private readonly unlock

  constructor(
    private readonly redis: SharedRedis,
    private readonly leases: Leases,
    private readonly pool: CredentialPool,
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {
    this.unlock = redis.script(UNLOCK)
    redis.subscribe('pool', (m) => this.receive(m as Message))
    redis.subscribe('invalidate', (what) => {
      if (isCredentialsChange(what)) void this.pool.reload(what.credentials)
    })
    // At start and after every outage: what the others changed meanwhile (and after an outage,
    // the credentials they added or removed, whose messages were lost).
    let wasUp = false
    redis.onUp(() => {
      if (wasUp) void this.pool.reload()
      wasUp = true
      void this.load()
    })
  }

  credentialsChanged(provider: string): void {
    this.redis.publish('invalidate', { credentials: provider } satisfies CredentialsChange)
  }

  private get hash(): string {
    return this.redis.key('pool', 'status')
  }

  changed(c: Credential, change: CredentialChange): void {
    if (change === 'removed') {
      void this.redis.run((r) => r.hdel(this.hash, String(c.id)))
      return
    }
    if (change === 'inserted' || !('status' in change || 'cooldownUntil' in change)) return
    const entry: StatusEntry = { status: c.status, cooldownUntil: c.cooldownUntil, failures: c.failures, lastError: c.lastError, at: c.updatedAt ?? Date.now() }
    this.redis.publish('pool', { kind: 'status', id: c.id, entry } satisfies Message)
    void this.redis.run((r) => r.hset(this.hash, String(c.id), JSON.stringify(entry)))
  }

  pairChanged(id: number, model: string, pair: PairEntry | undefined): void {
    this.redis.publish('pool', { kind: 'pair', id, model, pair: pair ?? null } satisfies Message)
    const field = `${id}|${model}`
    void this.redis.run((r) => (pair ? r.hset(this.hash, field, JSON.stringify(pair)) : r.hdel(this.hash, field)))
  }

  takeSlot(c: Credential, limit: number): Promise<string | null | undefined> {
    return this.leases.take(this.redis.key('slots', c.id), limit).then((slot) => {
      if (slot === null) {
        this.fullUntil.set(c.id, Date.now() + FULL_RETRY_MS)
        // Leases of a crashed instance free up without a message: look again in a moment.
        setTimeout(() => this.pool.wake(c.provider), FULL_RETRY_MS + 5).unref()
      }
      return slot
    })
  }

  releaseSlot(slot: string, c: Credential): void {
    this.leases.release(slot)
    this.redis.publish('pool', { kind: 'slot', id: c.id, provider: c.provider } satisfies Message)
  }

  full(id: number): boolean {
    if (this.fullUntil.size === 0) return false
    const until = this.fullUntil.get(id)
    if (until === undefined) return false
    if (until > Date.now()) return true
    this.fullUntil.delete(id)
    return false
  }

  async exclusive<T>(c: Credential, reloaded: () => void, work: () => Promise<T>): Promise<T> {
    const key = this.redis.key('refresh', c.id)
    const token = this.leases.newId()
    const giveUp = Date.now() + REFRESH_LOCK_MS
    for (;;) {
      const got = await this.redis.run((r) => r.set(key, token, 'PX', REFRESH_LOCK_MS, 'NX'))
      // Redis away (or another instance took too long): this instance does the work alone.
      if (got === undefined || Date.now() > giveUp) return work()
      if (got === 'OK') {
        try {
          await this.reload(c)
          reloaded()
          return await work()
        } finally {
          void this.redis.run((r) => this.unlock(r, [key], [token]))
        }
      }
      await sleep(REFRESH_POLL_MS) // another instance is doing it: its result is stored when it lets go
    }
  }

  /** The credential's state as stored (another instance may have just refreshed its tokens). */
  private async reload(c: Credential): Promise<void> {
    const stored = await getCredential(this.db, this.box, c.id)
    if (stored && stored.secret === c.secret) this.pool.adopt(c.id, { state: stored.state })
  }

  private receive(m: Message): void {
    if (m.kind === 'status') this.apply(m.id, m.entry)
    else if (m.kind === 'pair') this.pool.adoptPair(m.id, m.model, m.pair ?? undefined)
    else if (m.kind === 'slot') {
      this.fullUntil.delete(m.id)
      this.pool.wake(m.provider)
    }
  }

  private apply(id: number, entry: StatusEntry): void {
    const { at, ...patch } = entry
    this.pool.adopt(id, { ...patch, updatedAt: at })
  }

  private async load(): Promise<void> {
    const all = await this.redis.run((r) => r.hgetall(this.hash))
    if (!all) return
    const now = Date.now()
    for (const [field, json] of Object.entries(all)) {
      const [id, model] = field.split('|')
      const value = JSON.parse(json) as StatusEntry | PairEntry
      if (model !== undefined) {
        if ((value as PairEntry).until > now) this.pool.adoptPair(Number(id), model, value as PairEntry)
        continue
      }
      const entry = value as StatusEntry
      const c = this.pool.find(Number(id))
      // Newer than the row this instance has: a change made while this instance was away from Redis is kept.
      if (c && entry.at > (c.updatedAt ?? 0)) this.apply(c.id, entry)
    }
  }
}
