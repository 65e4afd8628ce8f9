// Concurrency slots several instances share: one ZSET per limited thing (a credential, a client
// key's concurrent requests), its members the lease ids of the holders, scored by when each lease
// expires. The holder renews its leases while it runs; a crashed instance stops renewing, and its
// slots free themselves once redis.lease_ms has passed. Check and take are one Lua script, so two
// instances can never both take the last slot. Time is Redis's own (TIME), the same for everyone.
import type { SharedRedis } from './redis.js'

/** Lua: `now` in milliseconds by Redis's clock. */
export const LUA_NOW = "local clock = redis.call('TIME')\nlocal now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)\n"

const TAKE = `${LUA_NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 1`

// KEYS[i] holds lease ARGV[i + 1]; ARGV[1] is the lease time.
const RENEW = `${LUA_NOW}
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], ttl * 2)
end
return #KEYS`

// KEYS[i] holds lease ARGV[i].
const RELEASE = `for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[i]) end
return #KEYS`

export class Leases {
  /** Lease id → the ZSETs it holds a slot in. */
  private readonly held = new Map<string, readonly string[]>()
  private seq = 0
  private timer: NodeJS.Timeout | undefined
  private readonly takeScript
  private readonly renewScript
  private readonly releaseScript

  constructor(
    private readonly redis: SharedRedis,
    readonly ttlMs: number,
  ) {
    this.takeScript = redis.script(TAKE)
    this.renewScript = redis.script(RENEW)
    this.releaseScript = redis.script(RELEASE)
  }

  newId(): string {
    return `${this.redis.processId}:${++this.seq}`
  }

  /** A slot of `key` when fewer than `limit` are held: its lease id; null when full; undefined when Redis is away. */
  async take(key: string, limit: number): Promise<string | null | undefined> {
    const id = this.newId()
    const got = await this.redis.run((r) => this.takeScript(r, [key], [limit, this.ttlMs, id]))
    if (got === undefined) return undefined
    if (Number(got) !== 1) return null
    this.hold(id, [key])
    return id
  }

  /** Keep renewing a lease another script took (in these ZSETs) until it is released. */
  hold(id: string, keys: readonly string[]): void {
    this.held.set(id, keys)
    this.timer ??= setInterval(() => void this.renew(), Math.max(50, Math.floor(this.ttlMs / 3))).unref()
  }

  /** Give a slot back (fire and forget: if Redis is away, the lease simply expires). */
  release(id: string): void {
    const keys = this.held.get(id)
    if (!keys) return
    this.forget(id)
    void this.redis.run((r) => this.releaseScript(r, keys, keys.map(() => id)))
  }

  /** Graceful shutdown: give every slot this instance holds back at once. */
  async releaseAll(): Promise<void> {
    const [keys, ids] = this.pairs()
    this.abandon()
    if (keys.length) await this.redis.run((r) => this.releaseScript(r, keys, ids))
  }

  /** Stop renewing without giving anything back: what a crashed instance leaves behind. */
  abandon(): void {
    this.held.clear()
    clearInterval(this.timer)
    this.timer = undefined
  }

  get size(): number {
    return this.held.size
  }

  /** Every held (ZSET, lease id) pair, as two parallel lists for a script. */
  private pairs(): [string[], string[]] {
    const keys: string[] = []
    const ids: string[] = []
    for (const [id, ks] of this.held) {
      for (const k of ks) {
        keys.push(k)
        ids.push(id)
      }
    }
    return [keys, ids]
  }

  private forget(id: string): void {
    this.held.delete(id)
    if (this.held.size === 0) this.abandon()
  }

  private async renew(): Promise<void> {
    const [keys, ids] = this.pairs()
    if (keys.length) await this.redis.run((r) => this.renewScript(r, keys, [this.ttlMs, ...ids]))
  }
}
