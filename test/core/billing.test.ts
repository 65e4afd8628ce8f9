// Billing, records and upkeep below the HTTP layer: settlement limits, stale holds, pruning,
// store_content: false, and the OpenAPI listing of the new routes.
import { afterEach, describe, expect, it } from 'vitest'
import { pruneOld, sweep } from '../../src/core/maintenance.js'
import { findSession } from '../../src/db/sessions.repo.js'
import { findUsageByRequest } from '../../src/db/usage.repo.js'
import { findUser, grantTokens, holdsOf } from '../../src/db/users.repo.js'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call } from '../helpers/compat.js'

let app: TestApp
let fake: FakeOpenAI | undefined
afterEach(async () => {
  await app?.close()
  await fake?.close()
  fake = undefined
})

const DAY = 24 * 3600_000
const usageRow = (requestId: string) => ({
  requestId,
  createdAt: Date.now(),
  model: 'm',
  stream: false,
  latencyMs: 1,
  status: 200,
})

describe('Billing', () => {
  it('charges the real cost but never more than the user has', async () => {
    app = await startTestApp({ config: { billing: { token_base_multiplier: 2 } } })
    const { billing, db } = app.services
    await grantTokens(db, 'u1', 30)
    const price = { prompt: 1000, completion: 0, per_call: 0 }
    expect(billing.cost(price, 10, 99)).toBe(20) // 10 tokens × 1 per token × multiplier 2
    const hold = (await billing.reserve('u1', 'r1', 20))!
    expect((await findUser(db, 'u1'))!.availToken).toBe(10)
    // The real usage (40 prompt tokens → 80) exceeds hold + balance (30): charge stops at 30.
    const usage = { promptTokens: 40, completionTokens: 0, estimated: false }
    const charged = await billing.settle({ userId: 'u1', hold, price, usage, usageRow: usageRow('r1'), record: undefined })
    expect(charged).toBe(30)
    expect((await findUser(db, 'u1'))!.availToken).toBe(0)
    expect((await findUsageByRequest(db, 'r1'))!.charged).toBe(30)
    await expect(billing.reserve('u1', 'r2', 1)).rejects.toThrow(/insufficient/)
  })

  it('gives a crashed request’s hold back after hold_ttl_ms, and only once', async () => {
    app = await startTestApp({ config: { billing: { hold_ttl_ms: 1000 } } })
    const { billing, db } = app.services
    await grantTokens(db, 'u2', 50)
    const hold = (await billing.reserve('u2', 'r3', 20))!
    expect((await sweep(app.services, Date.now() + 5000)).holds).toBe(1)
    expect((await findUser(db, 'u2'))!.availToken).toBe(50)
    expect(await holdsOf(db, 'u2')).toEqual([])
    // The late settle finds no hold and charges from the balance alone.
    const price = { prompt: 0, completion: 0, per_call: 5 }
    const usage = { promptTokens: 1, completionTokens: 1, estimated: false }
    await billing.settle({ userId: 'u2', hold, price, usage, usageRow: usageRow('r3'), record: undefined })
    expect((await findUser(db, 'u2'))!.availToken).toBe(45)
  })
})

describe('records and upkeep', () => {
  it('keeps only metadata with records.store_content: false, and CHAT_MAX_DAYS prunes records', async () => {
    fake = await startFakeOpenAI()
    app = await startTestApp({
      config: {
        records: { store_content: false },
        providers: { upstream: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] } },
      },
      env: { CHAT_MAX_DAYS: '3' },
    })
    const res = await app.openai().chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'secret question' }] })
    expect(res.choices[0]!.message.content).toBe(FAKE_ANSWER.join(''))
    const list = (await call(app, 'GET', '/record/list')).json.data.list
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ question: '', answer: '', content: '', record_type: 1, user_id: null })

    expect(await pruneOld(app.services, Date.now() + 2 * DAY)).toMatchObject({ records: 0 })
    expect(await pruneOld(app.services, Date.now() + 4 * DAY)).toMatchObject({ records: 1, usage: 1 })
    expect((await call(app, 'GET', '/record/list')).json.data.total).toBe(0)
  })

  it('refuses models without a price when billing.require_price is set', async () => {
    fake = await startFakeOpenAI()
    app = await startTestApp({
      config: {
        billing: { require_price: true, prices: { priced: { per_call: 1 } } },
        providers: { upstream: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'priced'] } },
      },
    })
    const key = (await app.admin('PUT', '/key', { userId: 'vic' })).json.data.apiKey
    await grantTokens(app.services.db, 'vic', 10)
    const err = await app.openai(key).chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e)
    expect(err.status).toBe(403)
    expect(err.error).toMatchObject({ code: 'model_not_priced' })
    await app.openai(key).chat.completions.create({ model: 'priced', messages: [{ role: 'user', content: 'x' }], max_tokens: 5 })
    expect((await findUser(app.services.db, 'vic'))!.availToken).toBe(9)
  })

  it('drops sessions idle past sessions.idle_ttl_ms', async () => {
    app = await startTestApp({ config: { sessions: { idle_ttl_ms: 1000 } } })
    const row = await app.services.sessions.begin('s-old', null, null)
    await app.services.sessions.release(row.sessionId)
    expect((await sweep(app.services, Date.now() + 500)).sessions).toBe(0)
    expect((await sweep(app.services, Date.now() + 5000)).sessions).toBe(1)
    expect(await findSession(app.services.db, 's-old')).toBeUndefined()
  })

  it('lists the compatibility routes in /openapi.json', async () => {
    app = await startTestApp()
    const doc = (await call(app, 'GET', '/openapi.json')).json
    for (const p of ['/user/token/add', '/user/list', '/user/update/mode', '/record/list', '/record/delete', '/chat', '/chat/stream', '/session/{id}/info', '/session/{id}/clear'])
      expect(Object.keys(doc.paths)).toContain(p)
    expect(doc.paths['/user/token/add'].post).toMatchObject({ tags: ['admin'], security: [{ adminSecret: [] }], summary: expect.stringMatching(/Idempotency/) })
    expect(doc.paths['/chat/stream'].post).toMatchObject({ tags: ['sessions'], security: [{ bearer: [] }, { apiKeyHeader: [] }] })
  })
})
