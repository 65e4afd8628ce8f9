// Token balances through the running app: the openai SDK against the fake upstream, the admin
// user/record API over fetch, and the database to check that every charge has its usage row.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findUsageByRequest, listUsage } from '../../src/db/usage.repo.js'
import { estimatePromptTokens, estimateTextTokens } from '../../src/kit/tokens.js'
import { FAKE_ANSWER, FAKE_USAGE, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor, waitFor } from '../helpers/compat.js'

const SECRET = 'admin-secret-for-tests'
let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI()
  const upstream = { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good' }
  app = await startTestApp({
    config: {
      admin: { secret: SECRET },
      providers: {
        upstream: { ...upstream, models: ['fake-model', 'metered', 'hang', 'drop', 'free-model'] },
        failing: { ...upstream, models: ['broken'] },
      },
      billing: {
        prices: {
          'fake-model': { per_call: 20 },
          // 1 unit per token, so charges equal the fake's usage (11 prompt + 7 completion).
          metered: { prompt: 1000, completion: 1000 },
          hang: { prompt: 1000, completion: 1000 },
          drop: { per_call: 5 },
          broken: { per_call: 20 },
        },
      },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(app, method, path, body, { authorization: SECRET, ...headers })
const grant = (user_id: string, token: number) => admin('POST', '/user/token/add', { user_id, token })
const userOf = async (id: string) => (await admin('GET', `/user/list?user_id=${id}`)).json.data.list.find((u: any) => u.user_id === id)
const hi = [{ role: 'user' as const, content: 'hi' }]

describe('balances', () => {
  it('a user with 100 tokens chats until spent, then gets 402 insufficient_quota', async () => {
    const client = app.openai(await keyFor(app, 'alice', {}, SECRET))
    expect((await grant('alice', 100)).json).toMatchObject({ code: 0, msg: 'success', data: { user_id: 'alice', token: 100, avail_token: 100 } })
    const answers: string[] = []
    let err: any
    for (let i = 0; i < 10 && !err; i++) {
      try {
        const res = await client.chat.completions.create({ model: 'fake-model', messages: hi })
        answers.push(res.choices[0]!.message.content!)
      } catch (e) {
        err = e
      }
    }
    expect(answers).toHaveLength(5)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.status).toBe(402)
    expect(err.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' })
    expect(await userOf('alice')).toMatchObject({ token: 100, avail_token: 0, mode: '' })
    // The refusal has its usage row too (charged nothing), like any failed request.
    const refusedId = (err as InstanceType<typeof OpenAI.APIError>).headers?.get('x-request-id')
    expect(refusedId).toBeTruthy()
    await expect.poll(() => findUsageByRequest(app.services.db, refusedId!)).toMatchObject({ userId: 'alice', charged: 0, status: 402, errorClass: 'balance' })

    const records = (await admin('GET', '/record/list?user_id=alice&page=1&pageSize=50')).json.data
    expect(records.total).toBe(5)
    expect(records.list[0]).toMatchObject({ user_id: 'alice', question: 'hi', answer: FAKE_ANSWER.join(''), token: 20, is_deleted: 0, record_type: 1 })
    expect(records.list[0].create_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    // Each charge is traceable: the record names the usage row that carries the same charge.
    for (const r of records.list) expect(await findUsageByRequest(app.services.db, r.request_id)).toMatchObject({ userId: 'alice', charged: 20, status: 200 })
  })

  it('settles to the real usage and refuses when the estimate no longer fits', async () => {
    const client = app.openai(await keyFor(app, 'tom', {}, SECRET))
    await grant('tom', 30)
    // Estimate: the prompt (~7 tokens) + max_tokens 10 ≈ 17 fits 30; the charge is the real 11 + 7.
    await client.chat.completions.create({ model: 'metered', messages: hi, max_tokens: 10 })
    expect((await userOf('tom')).avail_token).toBe(30 - FAKE_USAGE.total_tokens)
    const err = await client.chat.completions.create({ model: 'metered', messages: hi, max_tokens: 10 }).catch((e) => e)
    expect(err.status).toBe(402)
    expect((await userOf('tom')).avail_token).toBe(12)
  })

  it('parallel requests cannot overspend a small balance', async () => {
    const client = app.openai(await keyFor(app, 'bob', {}, SECRET))
    await grant('bob', 100)
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => client.chat.completions.create({ model: 'fake-model', messages: hi })),
    )
    const ok = results.filter((r) => r.status === 'fulfilled')
    const refused = results.filter((r) => r.status === 'rejected' && (r.reason as any).status === 402)
    expect([ok.length, refused.length]).toEqual([5, 15])
    expect(await userOf('bob')).toMatchObject({ token: 100, avail_token: 0 })

    const carol = app.openai(await keyFor(app, 'carol', {}, SECRET))
    await grant('carol', 100)
    await Promise.allSettled(
      Array.from({ length: 20 }, () => carol.chat.completions.create({ model: 'metered', messages: hi, max_tokens: 10 })),
    )
    await app.services.recorder.flush()
    const charged = (await listUsage(app.services.db, { limit: 1000 }))
      .filter((u) => u.userId === 'carol')
      .reduce((sum, u) => sum + u.charged, 0)
    const after = await userOf('carol')
    expect(after.avail_token).toBeGreaterThanOrEqual(0)
    expect(charged).toBeLessThanOrEqual(100)
    expect(charged + after.avail_token).toBeCloseTo(100, 6)
  })

  it('bills an abandoned stream for what it delivered', async () => {
    const client = app.openai(await keyFor(app, 'dave', {}, SECRET))
    await grant('dave', 1000)
    const controller = new AbortController()
    const stream = await client.chat.completions.create({ model: 'hang', messages: hi, stream: true, max_tokens: 50 }, { signal: controller.signal })
    let text = ''
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (text) break // breaking out aborts the response
    }
    controller.abort()
    expect(text).toBe('…')
    const expected = estimatePromptTokens(hi) + estimateTextTokens('…')
    await waitFor(async () => (await userOf('dave')).avail_token === 1000 - expected)
    const record = (await admin('GET', '/record/list?user_id=dave')).json.data.list[0]
    expect(record).toMatchObject({ answer: '…', token: expected })
    expect(await findUsageByRequest(app.services.db, record.request_id)).toMatchObject({ status: 499, errorClass: 'client_closed', charged: expected })
  })

  it('a request that fails upstream costs nothing', async () => {
    const client = app.openai(await keyFor(app, 'erin', {}, SECRET))
    await grant('erin', 100)
    const err = await client.chat.completions.create({ model: 'broken', messages: hi }).catch((e) => e)
    expect(err.status).toBe(502)
    const dropped = await client.chat.completions.create({ model: 'drop', messages: hi, stream: true })
    await expect(async () => {
      for await (const _ of dropped) {
        // read until the upstream drops
      }
    }).rejects.toThrow()
    await waitFor(async () => {
      await app.services.recorder.flush()
      return (await listUsage(app.services.db, { limit: 1000 })).filter((u) => u.userId === 'erin').length === 2
    })
    expect(await userOf('erin')).toMatchObject({ avail_token: 100 })
    expect((await listUsage(app.services.db, { limit: 1000 })).filter((u) => u.userId === 'erin').map((u) => u.charged)).toEqual([0, 0])
    expect((await admin('GET', '/record/list?user_id=erin')).json.data.total).toBe(0)
  })

  it('unpriced models are free; keys without a user are not billed', async () => {
    const client = app.openai(await keyFor(app, 'frank', {}, SECRET))
    const res = await client.chat.completions.create({ model: 'free-model', messages: hi })
    expect(res.choices[0]!.message.content).toBe(FAKE_ANSWER.join(''))
    const ownerless = app.openai((await app.admin('PUT', '/key', { remark: 'ops' }, SECRET)).json.data.apiKey)
    await ownerless.chat.completions.create({ model: 'fake-model', messages: hi })
  })
})

describe('user admin API', () => {
  it('needs the admin secret and answers in the {code,msg,data} envelope', async () => {
    expect(await call(app, 'GET', '/user/list')).toMatchObject({ status: 401, json: { code: 401, msg: 'invalid admin secret' } })
    const listed = await admin('GET', '/user/list?page=1&page_size=2')
    expect(listed.json).toMatchObject({ code: 0, msg: 'success', data: { total: expect.any(Number) } })
    expect(listed.json.data.list).toHaveLength(2)
    expect(Object.keys(listed.json.data.list[0]).sort()).toEqual(['avail_token', 'limits', 'mode', 'token', 'updatetime', 'user_id'])
  })

  it('adds tokens once per Idempotency-Key and refuses negative amounts', async () => {
    const key = { 'idempotency-key': 'grant-zoe-1' }
    const first = await admin('POST', '/user/token/add', { user_id: 'zoe', token: 50 }, key)
    const retry = await admin('POST', '/user/token/add', { user_id: 'zoe', token: 50 }, key)
    expect(retry.json).toEqual(first.json)
    expect(await userOf('zoe')).toMatchObject({ token: 50, avail_token: 50 })
    expect((await admin('POST', '/user/token/add', { user_id: 'zoe', token: 70 }, key)).status).toBe(409)
    await admin('POST', '/user/token/add', { user_id: 'zoe', token: 5 }, { 'idempotency-key': 'grant-zoe-2' })
    expect(await userOf('zoe')).toMatchObject({ token: 55, avail_token: 55 })
    const negative = await admin('POST', '/user/token/add', { user_id: 'zoe', token: -5 })
    expect(negative).toMatchObject({ status: 400, json: { code: 400, msg: expect.stringMatching(/negative/) } })
  })

  it('sets a routable mode (form body) that model "auto" then uses', async () => {
    const bad = await admin('POST', '/user/update/mode', new URLSearchParams({ user_id: 'gina', mode: 'no-such-model' }))
    expect(bad.status).toBe(400)
    const set = await admin('POST', '/user/update/mode', new URLSearchParams({ user_id: 'gina', mode: 'metered' }))
    expect(set.json.data).toMatchObject({ user_id: 'gina', mode: 'metered', token: 0 })
    await grant('gina', 100)
    const client = app.openai(await keyFor(app, 'gina', {}, SECRET))
    await client.chat.completions.create({ model: 'auto', messages: hi, max_tokens: 10 })
    expect(fake.requests.at(-1)!.body.model).toBe('metered')
    expect((await userOf('gina')).avail_token).toBe(100 - FAKE_USAGE.total_tokens)
  })

  it('soft-deletes records and filters by isDeleted', async () => {
    const list = (await admin('GET', '/record/list?user_id=alice')).json.data.list
    expect((await admin('POST', '/record/delete', { id: list[0].id })).json).toMatchObject({ code: 0, data: { deleted: 1 } })
    const deleted = (await admin('GET', '/record/list?user_id=alice&isDeleted=1')).json.data
    expect(deleted).toMatchObject({ total: 1, list: [{ id: list[0].id, is_deleted: 1 }] })
    expect((await admin('GET', '/record/list?user_id=alice&isDeleted=0')).json.data.total).toBe(list.length - 1)
    expect((await admin('POST', '/record/delete', { id: 999999 })).status).toBe(404)
  })
})
