// Everything instances share through Redis (REDIS_URL), wired once: rate-limit counters, the
// credential pool's state and slots, token-refresh locks, task progress and which providers keep
// upstream conversations. Sessions, stored responses and the conversation map itself live in the
// database, which several instances share already (PostgreSQL or MySQL).
import type { Db } from '../../db/client.js'
import type { SecretBox } from '../../db/secret-box.js'
import type { Logger } from '../../kit/log.js'
import type { ClientKeys } from '../client-keys.js'
import type { ConversationMemory } from '../conversations.js'
import type { CredentialPool } from '../credential-pool.js'
import type { RateLimiter } from '../rate-limiter.js'
import type { TaskEvent, TaskEvents } from '../tasks/events.js'
import { Leases } from './leases.js'
import { RedisLimitStore } from './limit-store.js'
import { PoolSync } from './pool-sync.js'
import { SharedRedis } from './redis.js'

export interface SharedSettings {
  url: string
  prefix: string
  command_timeout_ms: number
  lease_ms: number
}

export interface Sharers {
  db: Db
  box: SecretBox
  pool: CredentialPool
  taskEvents: TaskEvents
  conversations: ConversationMemory
  keys: ClientKeys
  limiter: RateLimiter
}

export class SharedState {
  readonly redis: SharedRedis
  readonly leases: Leases
  readonly limits: RedisLimitStore
  private pool: PoolSync | undefined

  constructor(
    settings: SharedSettings,
    private readonly log: Logger,
  ) {
    this.redis = new SharedRedis({ url: settings.url, prefix: settings.prefix, commandTimeoutMs: settings.command_timeout_ms }, log)
    this.leases = new Leases(this.redis, settings.lease_ms)
    this.limits = new RedisLimitStore(this.redis, this.leases)
  }

  /** Share the pool, task progress and conversation providers (once the services exist). */
  attach(s: Sharers): void {
    this.pool = new PoolSync(this.redis, this.leases, s.pool, s.db, s.box)
    s.pool.sharing = this.pool
    s.taskEvents.outbound = (event) => this.redis.publish('tasks', event)
    this.redis.subscribe('tasks', (event) => s.taskEvents.deliver(event as TaskEvent))
    s.conversations.onStateful = (provider) => this.redis.publish('conversations', provider)
    this.redis.subscribe('conversations', (provider) => s.conversations.markStateful(String(provider)))
    // A key disabled or a limit changed on one instance holds on every instance at once.
    s.keys.onInvalidate = () => this.redis.publish('invalidate', 'keys')
    s.limiter.onInvalidate = () => this.redis.publish('invalidate', 'limits')
    // (Credentials changed are announced on the same channel; pool-sync.ts reloads them.)
    this.redis.subscribe('invalidate', (what) => {
      if (what === 'keys') s.keys.forget()
      else if (what === 'limits') s.limiter.forget()
    })
  }

  /** Connect in the background; resolves once the first attempt succeeded or failed. */
  start(): Promise<void> {
    this.redis.start().catch((err: unknown) => this.log.error(`Redis not started: ${(err as Error).message}`))
    return this.redis.settled
  }

  /** Graceful shutdown: give back every slot this instance holds, then disconnect. */
  async close(): Promise<void> {
    await this.leases.releaseAll()
    await this.redis.close()
  }
}
