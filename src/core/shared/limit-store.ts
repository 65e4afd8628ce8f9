// Rate limits exact across instances: the same GCRA as MemoryLimitStore (src/core/rate-limits.ts),
// one hash per bucket ({r: requests TAT, t: tokens TAT, tpm}) and one lease ZSET per bucket for
// its concurrent requests, every check and take of a request in ONE Lua script, so instances
// never both admit the last request. While Redis is away the in-memory store answers for this
// instance alone.
import { LUA_NOW, type Leases } from './leases.js'
import type { SharedRedis } from './redis.js'
import { type LimitStore, MINUTE, MemoryLimitStore, type Rule, type Verdict, type Window, tighter, windowOf } from '../rate-limits.js'

// KEYS: per rule its hash and its lease ZSET. ARGV: lease time, lease id, then per rule rpm, tpm,
// concurrency. Reply: admitted (1/0), wait in ms, refused kind (c/r/t), refused rule, now, then
// per rule the requests and tokens TAT (as strings: Lua numbers would come back truncated).
const ADMIT = `${LUA_NOW}
local MIN = ${MINUTE}
local ttl = tonumber(ARGV[1])
local n = #KEYS / 2
local tats = {}
local refusal = nil
for i = 1, n do
  local h, z = KEYS[2 * i - 1], KEYS[2 * i]
  local rpm, tpm, conc = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  local r = tonumber(redis.call('HGET', h, 'r')) or now
  local t = tonumber(redis.call('HGET', h, 't')) or now
  tats[i] = { r, t }
  if not refusal and conc > 0 then
    redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
    if redis.call('ZCARD', z) >= conc then refusal = { 'c', i, 1000 } end
  end
  if not refusal and rpm > 0 then
    local wait = math.max(r, now) + MIN / rpm - now - MIN
    if wait > 0 then refusal = { 'r', i, wait } end
  end
  if not refusal and tpm > 0 then
    local wait = t - now - (MIN - MIN / tpm)
    if wait > 0 then refusal = { 't', i, wait } end
  end
end
if not refusal then
  for i = 1, n do
    local h, z = KEYS[2 * i - 1], KEYS[2 * i]
    local rpm, tpm, conc = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
    if rpm > 0 then tats[i][1] = math.max(tats[i][1], now) + MIN / rpm end
    redis.call('HSET', h, 'r', tostring(tats[i][1]), 'tpm', tpm)
    redis.call('PEXPIRE', h, math.ceil(math.max(tats[i][1], tats[i][2]) - now + MIN))
    if conc > 0 then
      redis.call('ZADD', z, now + ttl, ARGV[2])
      redis.call('PEXPIRE', z, ttl * 2)
    end
  end
end
local reply = { refusal and 0 or 1, refusal and tostring(refusal[3]) or '0', refusal and refusal[1] or '', refusal and refusal[2] or 0, tostring(now) }
for i = 1, n do
  reply[#reply + 1] = tostring(tats[i][1])
  reply[#reply + 1] = tostring(tats[i][2])
end
return reply`

// KEYS[1]: a bucket's hash; ARGV[1]: tokens a settled request used.
const SPEND = `${LUA_NOW}
local tpm = tonumber(redis.call('HGET', KEYS[1], 'tpm'))
if not tpm or tpm <= 0 then return 0 end
local t = math.max(tonumber(redis.call('HGET', KEYS[1], 't')) or now, now) + tonumber(ARGV[1]) * ${MINUTE} / tpm
local r = tonumber(redis.call('HGET', KEYS[1], 'r')) or now
redis.call('HSET', KEYS[1], 't', tostring(t))
redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(t, r) - now + ${MINUTE}))
return 1`

const REASONS: Record<string, (r: Rule) => string> = {
  c: (r) => `concurrent requests: limit ${r.concurrency}`,
  r: (r) => `requests per minute (rpm): limit ${r.rpm}`,
  t: (r) => `tokens per minute (tpm): limit ${r.tpm}`,
}

export class RedisLimitStore implements LimitStore {
  /** This instance's own counters, while Redis is away. */
  readonly fallback = new MemoryLimitStore()
  private readonly admitScript
  private readonly spendScript

  constructor(
    private readonly redis: SharedRedis,
    private readonly leases: Leases,
  ) {
    this.admitScript = redis.script(ADMIT)
    this.spendScript = redis.script(SPEND)
  }

  private bucketKey(bucket: string): string {
    return this.redis.key('rl', bucket)
  }

  async admit(rules: readonly Rule[], now: number): Promise<Verdict> {
    const keys: string[] = []
    const args: (string | number)[] = [this.leases.ttlMs, this.leases.newId()]
    for (const r of rules) {
      const key = this.bucketKey(r.bucket)
      keys.push(key, `${key}:c`)
      args.push(r.rpm, r.tpm, r.concurrency)
    }
    const reply = (await this.redis.run((redis) => this.admitScript(redis, keys, args))) as (string | number)[] | undefined
    if (!reply) return this.fallback.admit(rules, now)
    const [admitted, wait, kind, index, at] = reply
    const redisNow = Number(at)
    const verdict: Verdict = admitted === 1 ? { ok: true, retryAfterMs: 0 } : { ok: false, retryAfterMs: Math.ceil(Number(wait)) }
    if (admitted !== 1) verdict.reason = REASONS[String(kind)]!(rules[Number(index) - 1]!)
    let requests: Window | undefined
    let tokens: Window | undefined
    rules.forEach((r, i) => {
      if (r.rpm > 0) requests = tighter(requests, windowOf(r.rpm, Number(reply[5 + 2 * i]), redisNow))
      if (r.tpm > 0) tokens = tighter(tokens, windowOf(r.tpm, Number(reply[6 + 2 * i]), redisNow))
    })
    if (requests) verdict.requests = requests
    if (tokens) verdict.tokens = tokens
    const concurrent = rules.filter((r) => r.concurrency > 0)
    if (verdict.ok && concurrent.length) {
      verdict.ticket = String(args[1])
      this.leases.hold(verdict.ticket, concurrent.map((r) => `${this.bucketKey(r.bucket)}:c`))
    }
    return verdict
  }

  release(rules: readonly Rule[], ticket?: string): void {
    if (ticket) this.leases.release(ticket)
    else this.fallback.release(rules)
  }

  spend(bucket: string, tokens: number, now: number): void {
    if (tokens <= 0) return
    if (!this.redis.available) {
      this.fallback.spend(bucket, tokens, now)
      return
    }
    void this.redis.run((r) => this.spendScript(r, [this.bucketKey(bucket)], [tokens]))
  }
}
