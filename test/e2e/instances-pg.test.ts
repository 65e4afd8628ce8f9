// Issue 18's headline test: three Freeway instances on one fresh PostgreSQL database and one Redis
// (a key prefix of their own), with the same sealing key, behind a round-robin loopback balancer.
// Through it: no overspend by 60 parallel requests on a small balance, a credential found invalid by
// one instance skipped by the others, an rpm limit exact across instances, a session continued on
// another instance with its history, and /metrics per instance adding up to what was sent. Also
// credentials added, re-keyed and removed on one instance reach the others at once. Needs the
// local PostgreSQL and Redis (fails naming them when they are down).
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listRecords } from '../../src/db/records.repo.js'
import { listUsage } from '../../src/db/usage.repo.js'
import { findUser } from '../../src/db/users.repo.js'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { type Balancer, startBalancer } from '../helpers/balancer.js'
import { type TestDatabase, createTestDatabase } from '../helpers/databases.js'
import { REDIS_HOST, REDIS_PORT, dropPrefix, requireRedis, testPrefix } from '../helpers/redis.js'

const SECRET = 'admin-secret-for-tests'
const PRICE = 20
const prefix = testPrefix()
let database: TestDatabase
let redis: Redis
let fake: FakeOpenAI
let balancer: Balancer
const apps: TestApp[] = []

async function instance(n: number): Promise<TestApp> {
  const app = await startTestApp({
    databaseUrl: database.url!,
    env: { REDIS_URL: `redis://${REDIS_HOST}:${REDIS_PORT}` },
    config: {
      server: { instance_id: `pg-instance-${n}` },
      admin: { secret: SECRET },
      redis: { prefix },
      providers: {
        up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-up', models: ['fake-model'], concurrency: 64 },
        pool: { type: 'openai-compatible', base_url: `${fake.url}/v1`, credentials: ['sk-dead', 'sk-live'], models: ['pool-model'] },
        late: { type: 'openai-compatible', base_url: `${fake.url}/v1`, models: ['late-model'] },
      },
      billing: { prices: { 'fake-model': { per_call: PRICE } } },
    },
  })
  await app.services.shared!.redis.settled
  expect(app.services.shared!.redis.available).toBe(true)
  return app
}

beforeAll(async () => {
  database = await createTestDatabase('postgres')
  redis = await requireRedis()
  fake = await startFakeOpenAI(['sk-up', 'sk-live', 'sk-late-1', 'sk-late-2'])
  // One after another, as a rolling start; the migration lock is tested in test/db.
  for (const n of [1, 2, 3]) apps.push(await instance(n))
  balancer = await startBalancer(apps.map((a) => a.url))
}, 60_000)
afterAll(async () => {
  await balancer?.close()
  for (const app of apps) await app.close()
  await fake?.close()
  if (redis) await dropPrefix(redis, prefix)
  await database?.drop()
})

const bearer = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' })
const post = (base: string, path: string, key: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: bearer(key), body: JSON.stringify(body) })
const chat = (base: string, key: string, model: string, content = 'hi') => post(base, '/v1/chat/completions', key, { model, messages: [{ role: 'user', content }] })
const callsWith = (secret: string) => fake.requests.filter((r) => r.headers.authorization === `Bearer ${secret}`).length

async function newKey(body: Record<string, unknown>): Promise<string> {
  const res = await apps[0]!.admin('PUT', '/key', { remark: 'instances-pg', ...body }, SECRET)
  expect(res.status).toBe(200)
  return res.json.data.apiKey
}

/** Every instance's queued usage rows and records written. */
async function flushAll(): Promise<void> {
  for (const a of apps) {
    await a.services.recorder.flush()
    await a.services.billing.flush()
  }
}

describe('three instances on PostgreSQL and Redis behind a balancer', () => {
  it('runs every instance on the one PostgreSQL database', () => {
    expect(apps.map((a) => a.services.db.dialect)).toEqual(['postgres', 'postgres', 'postgres'])
  })

  it('60 parallel requests spread over the instances never overspend a balance worth 10', async () => {
    const grant = 10 * PRICE
    const granted = await fetch(`${balancer.url}/user/token/add`, {
      method: 'POST',
      headers: { authorization: SECRET, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'spender', token: grant }),
    })
    expect(((await granted.json()) as any).data).toMatchObject({ avail_token: grant })
    const key = await newKey({ userId: 'spender' })
    const answers = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const res = await chat(balancer.url, key, 'fake-model')
        return { status: res.status, backend: Number(res.headers.get('x-balancer-backend')), body: (await res.json()) as any }
      }),
    )
    expect(new Set(answers.map((a) => a.backend))).toEqual(new Set([0, 1, 2]))
    const served = answers.filter((a) => a.status === 200)
    const refused = answers.filter((a) => a.status !== 200)
    for (const a of served) expect(a.body.choices[0].message.content).toBe(FAKE_ANSWER.join(''))
    for (const a of refused) {
      expect(a.status).toBe(402)
      expect(a.body.error).toMatchObject({ code: 'insufficient_quota', type: 'insufficient_quota' })
    }
    // Served on more than one instance, and everything the balance affords was served.
    expect(new Set(served.map((a) => a.backend)).size).toBeGreaterThan(1)
    expect(served).toHaveLength(10)

    await flushAll()
    const db = apps[0]!.services.db
    const keyId = (await apps[0]!.services.keys.verify(key))!.id
    const usage = (await listUsage(db, { clientKeyId: keyId, limit: 500 })).filter((u) => u.status === 200)
    const charged = usage.reduce((sum, u) => sum + u.charged, 0)
    const records = await listRecords(db, { userId: 'spender', offset: 0, limit: 500 })
    expect(usage).toHaveLength(served.length)
    expect(records.total).toBe(served.length)
    expect(records.list.reduce((sum, r) => sum + r.token, 0)).toBe(charged)
    expect(charged).toBeLessThanOrEqual(grant)
    expect(charged).toBe(served.length * PRICE)
    const user = (await findUser(db, 'spender'))!
    expect(user.availToken).toBeGreaterThanOrEqual(0)
    expect(user.availToken).toBe(grant - charged)
  })

  it('a credential found invalid on one instance is skipped by the others at once', async () => {
    const key = await newKey({})
    const first = await chat(balancer.url, key, 'pool-model')
    expect(first.status).toBe(200)
    await first.text()
    const finder = Number(first.headers.get('x-balancer-backend'))
    // The finder tried sk-dead (the least recently used, first by id), was refused, and moved on.
    expect(callsWith('sk-dead')).toBe(1)
    const dead = (app: TestApp) => app.services.pool.entries('pool').find((c) => c.secret === 'sk-dead')!
    expect(dead(apps[finder]!).status).toBe('invalid')
    await expect.poll(() => apps.map((a) => dead(a).status), { timeout: 1000 }).toEqual(['invalid', 'invalid', 'invalid'])
    // The next requests land on the two other instances, where sk-dead was never used (so first in line).
    const next = await Promise.all([1, 2, 3, 4].map(() => chat(balancer.url, key, 'pool-model')))
    const backends = next.map((r) => Number(r.headers.get('x-balancer-backend')))
    expect(backends.filter((b) => b !== finder).length).toBeGreaterThanOrEqual(2)
    for (const res of next) {
      expect(res.status).toBe(200)
      await res.text()
    }
    expect(callsWith('sk-dead')).toBe(1)
  })

  it('an rpm limit of 10 on a key holds across the instances: 10 of 15 pass, the rest get 429 with Retry-After', async () => {
    const key = await newKey({ rpm: 10 })
    const answers = await Promise.all(Array.from({ length: 15 }, () => chat(balancer.url, key, 'fake-model')))
    expect(new Set(answers.map((r) => r.headers.get('x-balancer-backend')))).toEqual(new Set(['0', '1', '2']))
    const passed = answers.filter((r) => r.status === 200)
    const limited = answers.filter((r) => r.status !== 200)
    expect(passed).toHaveLength(10)
    expect(limited).toHaveLength(5)
    for (const res of limited) {
      expect(res.status).toBe(429)
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(((await res.json()) as any).error).toMatchObject({ code: 'rate_limit_exceeded' })
    }
    for (const res of passed) await res.text()
  })

  it("a session's second turn on another instance carries the first turn's messages", async () => {
    const key = await newKey({})
    const turn = (message: string) => post(balancer.url, '/chat', key, { message, session_id: 'pg-session-1', model: 'fake-model' })
    const one = await turn('记住：我的名字是小林')
    expect(one.status).toBe(200)
    expect(((await one.json()) as any).response).toBe(FAKE_ANSWER.join(''))
    const two = await turn('我叫什么？')
    expect(two.status).toBe(200)
    await two.text()
    expect(two.headers.get('x-balancer-backend')).not.toBe(one.headers.get('x-balancer-backend'))
    const seen = fake.requests.at(-1)!.body.messages.map((m: { role: string; content: string }) => [m.role, m.content])
    expect(seen).toEqual([
      ['user', '记住：我的名字是小林'],
      ['assistant', FAKE_ANSWER.join('')],
      ['user', '我叫什么？'],
    ])
  })

  it('/metrics of each instance counts the requests it served, and together what was sent', async () => {
    const chats = (status: (s: number | undefined) => boolean) => balancer.countsFor('/v1/chat/completions', status)
    const sent = chats(() => true)
    expect(sent.reduce((x, y) => x + y)).toBe(60 + 5 + 15)
    // A rate-limited request is counted apart (rejections); one refused for the balance (402) is a
    // request like any other, with its status.
    // Which instances the 5 rate-limited requests landed on depends on who reached Redis first.
    const answered = chats((s) => s !== 429)
    expect(sent.reduce((x, y) => x + y) - answered.reduce((x, y) => x + y)).toBe(5)
    const ok = chats((s) => s === 200)
    const refused = chats((s) => s === 402)
    expect(refused.reduce((x, y) => x + y)).toBe(50)
    const limited = chats((s) => s === 429)
    const sessions = balancer.countsFor('/chat')
    for (const [i, app] of apps.entries()) {
      // Each instance on its own, as Prometheus scrapes them (not through the balancer).
      const res = await fetch(`${app.url}/metrics`, { headers: { authorization: SECRET } })
      expect(res.status).toBe(200)
      const text = await res.text()
      expect(sum(text, 'freeway_requests_total', { route: 'chat' })).toBe(answered[i])
      expect(sum(text, 'freeway_requests_total', { route: 'chat', status: '200' })).toBe(ok[i])
      expect(sum(text, 'freeway_requests_total', { route: 'chat', status: '402' })).toBe(refused[i])
      expect(sum(text, 'freeway_rate_limit_rejections_total', {})).toBe(limited[i])
      expect(sum(text, 'freeway_requests_total', { route: 'session' })).toBe(sessions[i])
      expect(sum(text, 'freeway_inflight_requests', {})).toBe(0)
    }
  })
})

describe('credentials across instances', () => {
  it('credentials added, re-keyed and removed on one instance are used (or no longer) by the others', async () => {
    const [a, b, c] = apps as [TestApp, TestApp, TestApp]
    const key = await newKey({})
    const added = await a.admin('PUT', '/credential', { provider: 'late', secret: 'sk-late-1', remark: 'added on A' }, SECRET)
    expect(added.status).toBe(200)
    const id = Number(added.json.data.id)
    const secretOn = (app: TestApp) => app.services.pool.entries('late').map((e) => e.secret)
    await expect.poll(() => [secretOn(b), secretOn(c)], { timeout: 1000 }).toEqual([['sk-late-1'], ['sk-late-1']])
    const before = callsWith('sk-late-1')
    const first = await chat(b.url, key, 'late-model')
    expect(first.status).toBe(200)
    await first.text()
    expect(callsWith('sk-late-1')).toBe(before + 1)

    expect((await a.admin('POST', '/cookie/update', { id, cookie: 'sk-late-2', remark: 'rekeyed on A' }, SECRET)).status).toBe(200)
    await expect.poll(() => [secretOn(b), secretOn(c)], { timeout: 1000 }).toEqual([['sk-late-2'], ['sk-late-2']])
    expect((await b.admin('GET', '/credential?provider=late', undefined, SECRET)).json.data[0]).toMatchObject({ remark: 'rekeyed on A', cookie: '****te-2' })
    const res = await chat(c.url, key, 'late-model')
    expect(res.status).toBe(200)
    await res.text()
    expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer sk-late-2')

    expect((await a.admin('DELETE', `/credential/${id}`, undefined, SECRET)).status).toBe(200)
    await expect.poll(() => [secretOn(b), secretOn(c)], { timeout: 1000 }).toEqual([[], []])
    const calls = fake.requests.length
    const gone = await chat(b.url, key, 'late-model')
    expect(gone.status).toBeGreaterThanOrEqual(500)
    await gone.text()
    expect(fake.requests.length).toBe(calls)
  })
})

/** The sum of a metric's samples whose labels include these. */
function sum(text: string, name: string, labels: Record<string, string>): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}
