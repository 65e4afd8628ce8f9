// Several instances on one database and one Redis (REDIS_URL): rate limits hold across them, a
// credential found invalid by one is skipped by the others, cool-downs reach an instance started
// later, a crashed instance's slots expire, one instance refreshes a token while the other reuses
// it, and a task's progress reaches a socket on another instance. Needs the local Redis.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { providers as registry } from '../../providers/index.js'
import { FakeGlm } from '../fakes/glm-web.js'
import { FakeOpenAIMedia } from '../fakes/openai-media.js'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, type TestAppOptions, startTestApp } from '../helpers/app.js'
import { call, keyFor } from '../helpers/compat.js'
import { mediaPrices, mediaProvider } from '../helpers/media.js'
import { memoryProvider } from '../helpers/memory-provider.js'
import { REDIS_HOST, REDIS_PORT, dropPrefix, requireRedis, testPrefix } from '../helpers/redis.js'
import { openSocket } from '../helpers/ws-client.js'

const SECRET = 'admin-secret-for-tests'
const prefix = testPrefix()
const mem = memoryProvider('mem-web', [{ id: 'mem' }])
const dir = mkdtempSync(join(tmpdir(), 'freeway-shared-'))
let redis: Redis
let fake: FakeOpenAI
let glm: FakeGlm
let media: FakeOpenAIMedia
const apps: TestApp[] = []

/** One more instance on the same database file and the same Redis. */
async function instance(extra: Partial<TestAppOptions['config']> = {}): Promise<TestApp> {
  const app = await startTestApp({
    databasePath: join(dir, 'freeway.db'),
    definitions: [...registry, mem.def],
    env: { REDIS_URL: `redis://${REDIS_HOST}:${REDIS_PORT}` },
    config: {
      admin: { secret: SECRET },
      redis: { prefix, lease_ms: 600 },
      pool: { max_transient_failures: 1 },
      providers: {
        up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] },
        'mem-web': { credentials: ['dead-1', 'flaky-1', 'limited-1', 'acct-2'], concurrency: 1 },
        'glm-web': { base_url: glm.url, credentials: ['rt-good'], concurrency: 4 },
        media: mediaProvider(media.url),
      },
      billing: { prices: { ...mediaPrices } },
      tasks: { poll_interval_ms: 10, max_poll_interval_ms: 30, wait_ms: 4000 },
      ...extra,
    },
  })
  await app.services.shared!.redis.settled
  expect(app.services.shared!.redis.available).toBe(true)
  apps.push(app)
  return app
}

let a: TestApp
let b: TestApp

beforeAll(async () => {
  redis = await requireRedis()
  fake = await startFakeOpenAI()
  glm = await new FakeGlm().start()
  media = await new FakeOpenAIMedia().start()
  a = await instance()
  b = await instance()
})
afterAll(async () => {
  for (const app of apps) await app.close()
  await Promise.all([fake.close(), glm.close(), media.close()])
  await dropPrefix(redis, prefix)
  rmSync(dir, { recursive: true, force: true })
})

const chat = (app: TestApp, key: string, model: string, content = 'hi') =>
  fetch(`${app.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  })
const credential = (app: TestApp, secret: string) => app.services.pool.entries('mem-web').find((c) => c.secret === secret)!

describe('rate limits across instances', () => {
  it('an rpm limit of 10 holds across both instances, with the headers counting both', async () => {
    const key = await keyFor(a, 'rpm-user', { rpm: 10 }, SECRET)
    const statuses: number[] = []
    for (let i = 0; i < 16; i++) {
      const res = await chat(i % 2 ? b : a, key, 'fake-model')
      statuses.push(res.status)
      if (i === 9) expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0')
      await res.text()
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10)
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true)
    expect(await redis.exists(`${prefix}rl:k:${(await a.services.keys.verify(key))!.id}`)).toBe(1)
  })

  it('a key disabled on one instance is refused by the other at once (key caches are told)', async () => {
    const key = await keyFor(a, 'gone-user', {}, SECRET)
    expect((await chat(b, key, 'fake-model')).status).toBe(200)
    const id = (await a.services.keys.verify(key))!.id
    expect((await a.admin('POST', '/key/update', { id, enabled: false }, SECRET)).status).toBe(200)
    await expect.poll(async () => await b.services.keys.verify(key)).toBeUndefined()
  })
})

describe('the credential pool across instances', () => {
  it('a credential marked invalid on one instance is skipped by the other', async () => {
    const key = await keyFor(a, 'pool-user', {}, SECRET)
    // dead-1 is the least recently used: instance A tries it first and finds it invalid.
    const first = await chat(a, key, 'mem')
    expect(first.status).toBe(200)
    expect(credential(a, 'dead-1').status).toBe('invalid')
    await expect.poll(() => credential(b, 'dead-1').status).toBe('invalid')
    const triedBefore = mem.calls.filter((c) => c.secret === 'dead-1').length
    expect((await chat(b, key, 'mem')).status).toBe(200)
    expect(mem.calls.filter((c) => c.secret === 'dead-1')).toHaveLength(triedBefore)
  })

  it('cool-downs (the credential and a credential+model pair) are seen by an instance started later', async () => {
    const flaky = credential(a, 'flaky-1')
    const limited = credential(a, 'limited-1')
    a.services.pool.sharing!.pairChanged(flaky.id, 'mem', { failures: 1, until: Date.now() + 60_000 })
    a.services.pool.store.update(limited, { status: 'cooling', cooldownUntil: Date.now() + 60_000 })
    await expect.poll(() => b.services.pool.coolingModels(flaky.id)).toHaveLength(1)
    const later = await instance()
    await expect.poll(() => later.services.pool.coolingModels(flaky.id).map((m) => m.model)).toEqual(['mem'])
    expect(credential(later, 'limited-1').status).toBe('cooling')
    expect(await redis.hexists(`${prefix}pool:status`, `${flaky.id}|mem`)).toBe(1)
  })

  it('a slot held by an instance that crashed frees itself once its lease expires', async () => {
    const c = credential(a, 'acct-2')
    const held = await a.services.pool.sharing!.takeSlot(c, 1)
    expect(held).toEqual(expect.any(String))
    // The crash: A stops renewing and never gives the slot back.
    a.services.shared!.leases.abandon()
    expect(await b.services.pool.sharing!.takeSlot(c, 1)).toBeNull()
    expect(b.services.pool.sharing!.full(c.id)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 700))
    const taken = await b.services.pool.sharing!.takeSlot(c, 1)
    expect(taken).toEqual(expect.any(String))
    b.services.pool.sharing!.releaseSlot(taken!, c)
    await expect.poll(() => redis.zcard(`${prefix}slots:${c.id}`)).toBe(0)
  })

  it('a request on one instance waits while another instance holds the credential slot, and gets it once released', async () => {
    const key = await keyFor(a, 'slot-user', {}, SECRET)
    const c = credential(a, 'acct-2')
    const held = (await a.services.pool.sharing!.takeSlot(c, 1))!
    setTimeout(() => a.services.pool.sharing!.releaseSlot(held, c), 300)
    const t0 = performance.now()
    expect((await chat(b, key, 'mem')).status).toBe(200)
    expect(performance.now() - t0).toBeGreaterThan(250)
    expect(mem.calls.at(-1)!.secret).toBe('acct-2')
    await expect.poll(() => redis.zcard(`${prefix}slots:${c.id}`)).toBe(0)
  })
})

describe('token refresh across instances', () => {
  it('only one instance refreshes a credential; the other waits and reuses the stored token', async () => {
    const key = await keyFor(a, 'glm-user', {}, SECRET)
    glm.refreshCalls = 0
    glm.refreshDelayMs = 300
    const answers = await Promise.all([chat(a, key, 'zhipu', '你好'), chat(b, key, 'zhipu', '你好')])
    glm.refreshDelayMs = 0
    expect(answers.map((r) => r.status)).toEqual([200, 200])
    expect(glm.refreshCalls).toBe(1)
  })
})

describe('task progress across instances', () => {
  it('a socket on instance B sees the progress of a task running on instance A', async () => {
    const key = await keyFor(a, 'pia', {}, SECRET)
    await call(a, 'POST', '/user/token/add', { user_id: 'pia', token: 100 }, { authorization: SECRET })
    const socket = await openSocket(`${b.url.replace('http', 'ws')}/cozeZhsApi/public-socket/ws?key=${key}`)
    try {
      socket.send({ event: 'register', user_uuid: 'pia', model_id: 'vid-1' })
      await socket.next((m) => m.event === 'registered')
      const created = await a.openai(key).videos.create({ model: 'vid-1', prompt: 'waves', seconds: '4' })
      const done = await socket.next((m) => m.event === 'progress' && m.task_id === created.id && m.status === 'completed')
      expect(done).toMatchObject({ progress: 100, data: { kind: 'video', model: 'vid-1' } })
    } finally {
      socket.ws.terminate()
    }
  })
})
