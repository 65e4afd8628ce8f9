// Failover end to end: dead, rate-limited and good credentials; provider fallbacks via routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI(['sk-limited', 'sk-good', 'sk-backup'])
  fake.limitedKeys.add('sk-limited')
  const up = (credentials: string[], models: string[]) => ({ type: 'openai-compatible', base_url: `${fake.url}/v1`, credentials, models })
  app = await startTestApp({
    config: {
      providers: {
        // Order matters: the pool picks least-recently-used, and config order sets ids.
        main: up(['sk-dead', 'sk-limited', 'sk-good'], ['fake-model']),
        broken: up(['sk-dead-2'], ['fake-model']),
        backup: up(['sk-backup'], ['fake-model']),
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
