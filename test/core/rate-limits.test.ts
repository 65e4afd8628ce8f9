// The limiter's arithmetic on a clock the test moves: GCRA minutes, token spending, slots.
import { describe, expect, it } from 'vitest'
import { RateLimiter } from '../../src/core/rate-limiter.js'
import { LimitExceeded, MemoryLimitStore, limitHeaders, resetText } from '../../src/core/rate-limits.js'
import type { LimitSpec } from '../../src/db/schema.js'

function limiterAt(users: Record<string, LimitSpec> = {}, defaults?: LimitSpec) {
  const clock = { now: 1_000_000 }
  const limiter = new RateLimiter(new MemoryLimitStore(), { defaults: () => defaults, userLimits: (u) => users[u], anyStored: () => true }, () => clock.now)
  return { limiter, clock }
}

const refused = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(LimitExceeded)
  return err as LimitExceeded
}

describe('requests per minute', () => {
  it('lets a minute of requests through, then one per 60/rpm seconds, and all again after a minute', async () => {
    const { limiter, clock } = limiterAt()
    const key = { id: 1, userId: null, rpm: 3 }
    for (let i = 0; i < 3; i++) expect(await limiter.admit(key, 'm')).toBeDefined()
    const err = await refused(limiter.admit(key, 'm'))
    expect(err.status).toBe(429)
    expect(err.headers['retry-after']).toBe('20')
    expect(err.headers['x-ratelimit-remaining-requests']).toBe('0')
    clock.now += 20_000
    expect((await limiter.admit(key, 'm'))!.headers['x-ratelimit-remaining-requests']).toBe('0')
    await refused(limiter.admit(key, 'm'))
    clock.now += 60_000
    expect((await limiter.admit(key, 'm'))!.headers['x-ratelimit-remaining-requests']).toBe('2')
  })
})

describe('tokens per minute', () => {
  it('spends settled tokens and refills them over the minute', async () => {
    const { limiter, clock } = limiterAt()
    const key = { id: 2, userId: null, tpm: 100 }
    await limiter.admit(key, 'm')
    limiter.spend(2, null, 'm', 100)
    const err = await refused(limiter.admit(key, 'm'))
    expect(err.headers['x-ratelimit-remaining-tokens']).toBe('0')
    clock.now += 30_000
    expect((await limiter.admit(key, 'm'))!.headers['x-ratelimit-remaining-tokens']).toBe('50')
  })
})

describe('concurrency', () => {
  it('holds a slot until released, once', async () => {
    const { limiter } = limiterAt()
    const key = { id: 3, userId: null, concurrency: 1 }
    const first = (await limiter.admit(key, 'm'))!
    await refused(limiter.admit(key, 'm'))
    first.release()
    first.release()
    const second = (await limiter.admit(key, 'm'))!
    await refused(limiter.admit(key, 'm'))
    second.release()
  })
})

describe('rules', () => {
  it('combine the key, its model and its user; the defaults fill what the key leaves out', async () => {
    const { limiter } = limiterAt({ ann: { rpm: 5 } }, { tpm: 1000 })
    const key = { id: 4, userId: 'ann', rpm: 10, limits: { models: { big: { rpm: 1 } } } }
    expect((await limiter.rulesFor(key, 'small')).map((r) => r.bucket)).toEqual(['k:4', 'u:ann'])
    expect((await limiter.rulesFor(key, 'big')).map((r) => r.bucket)).toEqual(['k:4', 'u:ann', 'k:4:m:big'])
    expect((await limiter.rulesFor(key, 'small'))[0]).toMatchObject({ rpm: 10, tpm: 1000, concurrency: 0 })
    expect(await limiter.admit({ id: 5, userId: null }, 'm')).toBeDefined()
  })

  it('is inactive when nothing anywhere is limited', () => {
    const limiter = new RateLimiter(new MemoryLimitStore(), { defaults: () => ({}), userLimits: () => null, anyStored: () => false })
    expect(limiter.active).toBe(false)
  })
})

describe('headers', () => {
  it("write durations as OpenAI's reset headers do", () => {
    expect(resetText(120)).toBe('120ms')
    expect(resetText(6000)).toBe('6s')
    expect(resetText(90_000)).toBe('1m30s')
    expect(limitHeaders({ ok: true, retryAfterMs: 0 })).toEqual({})
  })
})
