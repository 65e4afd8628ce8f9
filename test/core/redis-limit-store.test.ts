// The Redis limit store on the local Redis: two stores stand for two instances. Concurrency is a
// leased count that a crashed holder's expiry frees, tpm counts what settled requests spent, and
// the verdicts carry the same windows as the in-memory store's. Needs the local Redis.
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/kit/log.js'
import { limitHeaders } from '../../src/core/rate-limits.js'
import { Leases } from '../../src/core/shared/leases.js'
import { RedisLimitStore } from '../../src/core/shared/limit-store.js'
import { SharedRedis } from '../../src/core/shared/redis.js'
import { REDIS_HOST, REDIS_PORT, dropPrefix, requireRedis, testPrefix } from '../helpers/redis.js'

const prefix = testPrefix()
let redis: Redis
const connections: SharedRedis[] = []

async function instance(leaseMs = 60_000) {
  const shared = new SharedRedis({ url: `redis://${REDIS_HOST}:${REDIS_PORT}`, prefix, commandTimeoutMs: 500 }, silentLogger)
  connections.push(shared)
  await shared.start()
  expect(shared.available).toBe(true)
  const leases = new Leases(shared, leaseMs)
  return { leases, store: new RedisLimitStore(shared, leases) }
}

beforeAll(async () => {
  redis = await requireRedis()
})
afterAll(async () => {
  for (const c of connections) await c.close()
  await dropPrefix(redis, prefix)
})

describe('RedisLimitStore', () => {
  it('counts concurrent requests across instances and frees a slot on release', async () => {
    const [one, two] = [await instance(), await instance()]
    const rules = [{ bucket: 'k:conc', rpm: 0, tpm: 0, concurrency: 2 }]
    const first = await one.store.admit(rules, Date.now())
    const second = await two.store.admit(rules, Date.now())
    expect([first.ok, second.ok]).toEqual([true, true])
    const third = await one.store.admit(rules, Date.now())
    expect(third).toMatchObject({ ok: false, reason: 'concurrent requests: limit 2' })
    two.store.release(rules, second.ticket)
    await expect.poll(async () => (await one.store.admit(rules, Date.now())).ok).toBe(true)
  })

  it("frees a crashed instance's concurrent slot once its lease runs out", async () => {
    const crashed = await instance(300)
    const other = await instance(300)
    const rules = [{ bucket: 'k:crash', rpm: 0, tpm: 0, concurrency: 1 }]
    expect((await crashed.store.admit(rules, Date.now())).ok).toBe(true)
    crashed.leases.abandon()
    expect((await other.store.admit(rules, Date.now())).ok).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 350))
    expect((await other.store.admit(rules, Date.now())).ok).toBe(true)
  })

  it('refuses once the tokens spent on any instance reach tpm, with the token headers', async () => {
    const [one, two] = [await instance(), await instance()]
    const rules = [{ bucket: 'k:tpm', rpm: 0, tpm: 100, concurrency: 0 }]
    const admitted = await one.store.admit(rules, Date.now())
    expect(limitHeaders(admitted)).toMatchObject({ 'x-ratelimit-limit-tokens': '100', 'x-ratelimit-remaining-tokens': '100' })
    two.store.spend('k:tpm', 150, Date.now())
    await expect.poll(async () => (await one.store.admit(rules, Date.now())).ok).toBe(false)
    const refused = await one.store.admit(rules, Date.now())
    expect(refused.reason).toBe('tokens per minute (tpm): limit 100')
    expect(refused.retryAfterMs).toBeGreaterThan(25_000)
    expect(limitHeaders(refused)['x-ratelimit-remaining-tokens']).toBe('0')
  })
})
