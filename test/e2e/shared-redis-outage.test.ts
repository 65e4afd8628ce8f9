// Redis going away under two running instances (a TCP proxy in front of the local Redis is cut):
// requests still succeed, each instance warns once and keeps its own counts; when Redis is back
// it says so, and the limits are shared again. Needs the local Redis.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor } from '../helpers/compat.js'
import { type CuttableProxy, dropPrefix, requireRedis, startRedisProxy, testPrefix } from '../helpers/redis.js'
import { createLogger } from '../../src/kit/log.js'

const SECRET = 'admin-secret-for-tests'
const prefix = testPrefix()
const dir = mkdtempSync(join(tmpdir(), 'freeway-outage-'))
let redis: Redis
let proxy: CuttableProxy
let fake: FakeOpenAI
const apps: { app: TestApp; lines: string[] }[] = []

async function instance() {
  const lines: string[] = []
  const app = await startTestApp({
    databasePath: join(dir, 'freeway.db'),
    env: { REDIS_URL: proxy.url },
    log: createLogger('info', 'freeway', (line) => lines.push(line)),
    config: {
      admin: { secret: SECRET },
      redis: { prefix },
      providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] } },
    },
  })
  await app.services.shared!.redis.settled
  apps.push({ app, lines })
  return { app, lines }
}

beforeAll(async () => {
  redis = await requireRedis()
  proxy = await startRedisProxy()
  fake = await startFakeOpenAI()
})
afterAll(async () => {
  for (const { app } of apps) await app.close()
  await Promise.all([fake.close(), proxy.close()])
  await dropPrefix(redis, prefix)
  rmSync(dir, { recursive: true, force: true })
})

const chat = (app: TestApp, key: string) =>
  fetch(`${app.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] }),
  })
const warnings = (lines: string[]) => lines.filter((l) => l.includes(' WARN ') && l.includes('Redis'))

describe('Redis going away and coming back', () => {
  it('keeps answering with one warning per instance, counts per instance meanwhile, and shares again once back', async () => {
    const one = await instance()
    const two = await instance()
    expect(one.app.services.shared!.redis.available).toBe(true)
    const key = await keyFor(one.app, 'outage-user', { rpm: 3 }, SECRET)
    expect((await chat(one.app, key)).status).toBe(200)
    expect((await chat(two.app, key)).status).toBe(200)

    proxy.cut()
    await expect.poll(() => one.app.services.shared!.redis.available || two.app.services.shared!.redis.available).toBe(false)
    // Without Redis each instance counts alone: three a minute each, and nothing fails for want of Redis.
    const t0 = performance.now()
    const during = []
    for (let i = 0; i < 4; i++) during.push((await chat(one.app, key)).status)
    expect(during).toEqual([200, 200, 200, 429])
    expect((await chat(two.app, key)).status).toBe(200)
    expect(performance.now() - t0).toBeLessThan(2000)
    for (const { lines } of [one, two]) {
      expect(warnings(lines)).toHaveLength(1)
      expect(warnings(lines)[0]).toMatch(/Redis at 127\.0\.0\.1:\d+ is unavailable/)
    }

    proxy.restore()
    await expect.poll(() => one.app.services.shared!.redis.available && two.app.services.shared!.redis.available, { timeout: 6000 }).toBe(true)
    for (const { lines } of [one, two]) expect(lines.some((l) => l.includes(' INFO ') && l.includes('is back'))).toBe(true)
    // Shared again: the two requests made before the cut left one of the three in Redis.
    expect((await chat(two.app, key)).status).toBe(200)
    expect((await chat(one.app, key)).status).toBe(429)
    expect(warnings(one.lines)).toHaveLength(1)
  })
})
