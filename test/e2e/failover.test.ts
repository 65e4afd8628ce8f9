// Failover end to end: dead, rate-limited and good credentials; provider fallbacks via routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI(['sk-limited', 'sk-good', 'sk-backup'])
  fake.limitedKeys.add('sk-limited')
  const up = (credentials: string[], models: (string | { id: string; upstream: string })[]) => ({ type: 'openai-compatible', base_url: `${fake.url}/v1`, credentials, models })
  app = await startTestApp({
    config: {
      providers: {
        // Order matters: the pool picks least-recently-used, and config order sets ids.
        main: up(['sk-dead', 'sk-limited', 'sk-good'], ['fake-model']),
        broken: up(['sk-dead-2'], ['fake-model']),
        backup: up(['sk-backup'], ['fake-model']),
        // One key serving two models, one of which the upstream fails with 500.
        solo: up(['sk-good'], [{ id: 'solo-chat', upstream: 'fake-model' }, { id: 'solo-broken', upstream: 'broken' }]),
        // Configured, but nobody has added a credential yet.
        empty: up([], ['empty-model']),
      },
      routes: { resilient: ['broken:fake-model', 'backup:fake-model'] },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const ask = (model: string, stream = false) =>
  stream
    ? app.openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], stream: true })
    : app.openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })

describe('credential failover', () => {
  it('skips a dead and a rate-limited credential without the client noticing, and marks them', async () => {
    const res = await ask('fake-model')
    expect((res as any).choices[0].message.content).toContain('你好')
    const tried = fake.requests.map((r) => r.headers.authorization)
    expect(tried).toEqual(['Bearer sk-dead', 'Bearer sk-limited', 'Bearer sk-good'])
    const byTail = Object.fromEntries(app.services.pool.entries('main').map((c) => [c.secret, c]))
    expect(byTail['sk-dead']).toMatchObject({ status: 'invalid' })
    expect(byTail['sk-limited']).toMatchObject({ status: 'cooling', lastError: expect.stringContaining('Rate limit') })
    expect(byTail['sk-good']).toMatchObject({ status: 'active', failures: 0 })
  })

  it('goes straight to the healthy credential afterwards', async () => {
    const before = fake.requests.length
    const stream = await ask('fake-model', true)
    for await (const _ of stream as AsyncIterable<unknown>) {
      // drain
    }
    expect(fake.requests.slice(before).map((r) => r.headers.authorization)).toEqual(['Bearer sk-good'])
  })

  it('falls back to the next provider of a route when one has no usable credential', async () => {
    const res = await ask('resilient')
    expect((res as any).choices[0].message.content).toContain('你好')
    expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer sk-backup')
    expect(app.services.pool.entries('broken')[0]!.status).toBe('invalid')
  })

  it('explains in one error which provider failed and why when nothing is left', async () => {
    // Take the last healthy credentials out through the admin API.
    const good = app.services.pool.entries('main').find((c) => c.secret === 'sk-good')!
    await app.admin('POST', `/credential/${good.id}/enable`, { enabled: false })
    const backup = app.services.pool.entries('backup')[0]!
    await app.admin('POST', `/credential/${backup.id}/enable`, { enabled: false })
    const failed = await ask('fake-model').catch((e) => e)
    expect(failed.status).toBe(503)
    expect(failed.message).toBe(
      '503 no usable credential for main: 1 invalid, 1 cooling, 1 disabled; broken: 1 invalid; backup: 1 disabled',
    )
    expect(failed.code).toBe('no_available_credential')
  })
})

describe('one model\'s trouble stays with that model', () => {
  it('cools the key for the failing model only; its other models keep working', async () => {
    for (let i = 0; i < 3; i++) expect((await ask('solo-broken').catch((e) => e)).status).toBe(502)
    const key = app.services.pool.entries('solo')[0]!
    expect(key.status).toBe('active')
    expect(app.services.pool.coolingModels(key.id)).toMatchObject([{ model: 'solo-broken', failures: 3 }])
    const res = await ask('solo-chat')
    expect((res as any).choices[0].message.content).toContain('你好')
  })

  it('tries the cooling key anyway when nothing else can serve, and answers with the upstream\'s own error', async () => {
    const before = fake.requests.length
    const err = await ask('solo-broken').catch((e) => e)
    expect(fake.requests.length - before).toBe(1)
    expect(err.status).toBe(502)
    expect(err.message).toMatch(/^502 solo: The server had an error/)
    expect(err.code).toBe('upstream_error')
  })
})

describe('a provider without any credential', () => {
  it('names the provider and how to add one', async () => {
    const err = await ask('empty-model').catch((e) => e)
    expect(err.status).toBe(503)
    expect(err.code).toBe('no_available_credential')
    expect(err.message).toContain('empty: no credentials')
    expect(err.message).toContain('PUT /api/cookie {"provider": "empty", "cookie": "..."}')
    expect(err.message).toContain('providers.empty.credentials in config.yaml')
  })
})
