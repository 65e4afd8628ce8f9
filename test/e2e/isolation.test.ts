// One caller cannot reach another's sessions or bill another user; a repeated client request id
// loses no usage row; a crash leaves no reservation held; records say which model served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recoverAtStart } from '../../src/core/maintenance.js'
import { listRecords } from '../../src/db/records.repo.js'
import { listUsage } from '../../src/db/usage.repo.js'
import { findUser, grantTokens, holdsOf, insertHold } from '../../src/db/users.repo.js'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor } from '../helpers/compat.js'

let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    env: { ALLOW_ANONYMOUS: '1' },
    config: {
      providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'tools'] } },
      aliases: { chatty: 'fake-model' },
      sessions: { default_model: 'fake-model' },
      billing: { prices: { 'fake-model': { per_call: 2 }, tools: { per_call: 3 } } },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const bearer = (k: string) => ({ authorization: `Bearer ${k}` })

describe('sessions of keys without a user', () => {
  it('belong to the key that created them', async () => {
    const userless = async () => (await app.admin('PUT', '/key', { remark: 'no user' })).json.data.apiKey as string
    const a = await userless()
    const b = await userless()
    const first = await call(app, 'POST', '/chat', { message: 'hi', session_id: 'shared-name' }, bearer(a))
    expect(first.status).toBe(200)
    expect((await call(app, 'GET', '/session/shared-name/info', undefined, bearer(a))).status).toBe(200)
    expect((await call(app, 'GET', '/session/shared-name/info', undefined, bearer(b))).status).toBe(404)
    expect((await call(app, 'POST', '/chat', { message: 'hi', session_id: 'shared-name' }, bearer(b))).status).toBe(404)
    expect((await call(app, 'POST', '/session/shared-name/clear', undefined, bearer(b))).status).toBe(404)
  })
})

describe('acting for another user', () => {
  it('is refused to anonymous callers', async () => {
    const res = await call(app, 'POST', '/chat', { message: 'hi', user_id: 'victim' })
    expect(res.status).toBe(403)
    expect(res.json).toMatchObject({ detail: expect.stringContaining('another user_id') })
    expect((await call(app, 'GET', '/session/x/info?user_id=victim')).status).toBe(403)
  })
})

describe('request ids', () => {
  it('a repeated X-Request-Id keeps one usage row per request, billed or not', async () => {
    const key = await keyFor(app, 'ida')
    await grantTokens(app.services.db, 'ida', 100)
    const send = (k?: string) =>
      fetch(`${app.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'client-id-7', ...(k ? bearer(k) : {}) },
        body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] }),
      })
    for (const k of [key, key, undefined, undefined]) {
      const res = await send(k)
      expect(res.status).toBe(200)
      expect(res.headers.get('x-request-id')).toBe('client-id-7')
    }
    await app.services.recorder.flush()
    const rows = (await listUsage(app.services.db, { limit: 1000 })).filter((r) => r.clientRequestId === 'client-id-7')
    expect(rows).toHaveLength(4)
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(4)
    expect(rows.filter((r) => r.charged === 2)).toHaveLength(2)
  })
})

describe('unknown paths', () => {
  it('under /session answer in the session envelope', async () => {
    const res = await call(app, 'GET', '/session/x/nothing-here')
    expect(res.status).toBe(404)
    expect(res.json).toMatchObject({ detail: expect.stringContaining('no route'), error: { code: 'not_found' } })
  })
})

describe('a crash', () => {
  it('leaves no reservation held once the instance starts again', async () => {
    const { db, billing } = app.services
    await grantTokens(db, 'crash-user', 50)
    await billing.reserve('crash-user', 'req-a', 20)
    await insertHold(db, { userId: 'crash-user', requestId: 'req-b', amount: 5, instanceId: 'another-instance', createdAt: Date.now() })
    expect((await findUser(db, 'crash-user'))!.availToken).toBe(30)
    await recoverAtStart(app.services) // what the next start of this instance does first
    expect((await findUser(db, 'crash-user'))!.availToken).toBe(50)
    expect((await holdsOf(db, 'crash-user')).map((h) => h.instanceId)).toEqual(['another-instance'])
  })
})

describe('usage rows and records', () => {
  it('name the alias the client used and the model that served, and keep tool calls', async () => {
    const key = await keyFor(app, 'rita')
    await grantTokens(app.services.db, 'rita', 100)
    const client = app.openai(key)
    await client.chat.completions.create({ model: 'chatty', messages: [{ role: 'user', content: 'hi' }] })
    const tools = await client.chat.completions.create({
      model: 'tools',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    })
    expect(tools.choices[0]!.message.content).toBeNull()
    await app.services.billing.flush()
    await app.services.recorder.flush()
    const records = (await listRecords(app.services.db, { offset: 0, limit: 10, userId: 'rita' })).list
    expect(records[1]).toMatchObject({ model: 'chatty', servedModel: 'fake-model', toolCalls: null, token: 2 })
    expect(records[0]).toMatchObject({
      model: 'tools',
      servedModel: 'tools',
      token: 3,
      toolCalls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }],
    })
    const usage = (await listUsage(app.services.db, { limit: 1000 })).find((u) => u.requestId === records[1]!.requestId)
    expect(usage).toMatchObject({ model: 'chatty', servedModel: 'fake-model', charged: 2 })
  })
})
