// Relay behaviour through the HTTP app: usage records, multi-turn continuation, one-shot
// clean-up, pass-through tokens and keep-alive pings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findUsageByRequest } from '../../src/db/usage.repo.js'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { memoryProvider } from '../helpers/memory-provider.js'
import { providers } from '../../providers/index.js'
import { sqliteOf } from '../../src/db/client.js'
import { idleControllers } from '../../src/kit/abort-pool.js'

const mem = memoryProvider('mem-web', [{ id: 'mem', suffixes: ['search'] }])
const once = memoryProvider('once-web', [{ id: 'once' }])
let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI(['sk-upstream-good', 'tok-b'])
  app = await startTestApp({
    definitions: [...providers, mem.def, once.def],
    config: {
      server: { ping_interval_ms: 50 },
      providers: {
        up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'no-usage', 'hang', 'pause'] },
        pass: { type: 'openai-compatible', base_url: `${fake.url}/v1`, models: ['pass-model'], passthrough_tokens: true },
        'mem-web': { credentials: ['acct-1', 'acct-2'] },
        'once-web': { credentials: ['acct-x'], multi_turn: false },
      },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const record = async (res: Response | { headers: Headers }) => {
  const id = res.headers.get('x-request-id')!
  await expect.poll(async () => { (await app.services.recorder.flush()); return (await findUsageByRequest(app.services.db, id)) }).toBeDefined()
  return (await findUsageByRequest(app.services.db, id))!
}

/** A stream from an upstream that never finishes, its first bytes read; abort the controller to leave. */
async function hangingStream() {
  const controller = new AbortController()
  const res = await fetch(`${app.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'hang', messages: [{ role: 'user', content: 'x' }], stream: true }),
    signal: controller.signal,
  })
  await res.body!.getReader().read()
  return { res, controller }
}

describe('usage records', () => {
  it('records upstream usage exactly once per request', async () => {
    const { response } = await app.openai().chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] }).withResponse()
    expect(await record(response)).toMatchObject({ provider: 'up', credentialId: expect.any(Number), promptTokens: 11, completionTokens: 7, estimated: false, status: 200, stream: false })
  })

  it('estimates with the tokenizer, and says so, when the upstream reports no usage', async () => {
    const { data, response } = await app.openai().chat.completions.create({ model: 'no-usage', messages: [{ role: 'user', content: '你好，请介绍一下你自己。' }] }).withResponse()
    const row = await record(response)
    expect(row.estimated).toBe(true)
    expect(row.promptTokens).toBeGreaterThan(5)
    expect(row.completionTokens).toBeGreaterThan(3)
    expect(data.usage).toMatchObject({ prompt_tokens: row.promptTokens, completion_tokens: row.completionTokens })
    expect(data.usage).not.toEqual({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 })
  })

  it('writes one record for a client that disconnects mid-stream, and aborts the upstream', async () => {
    const before = fake.closedEarly
    const { res, controller } = await hangingStream()
    controller.abort()
    await expect.poll(() => fake.closedEarly, { timeout: 3000 }).toBe(before + 1)
    const row = await record(res)
    expect(row).toMatchObject({ status: 499, errorClass: 'client_closed', stream: true, provider: 'up' })
    await app.services.recorder.flush()
    const count = sqliteOf(app.services.db).prepare('select count(*) as n from usage_records where request_id = ?').get(row.requestId)
    expect(count).toEqual({ n: 1 })
  })

  it('uses the abort controllers of finished requests again, and a reused one still aborts the upstream', async () => {
    const ask = () => app.openai().chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] })
    for (let i = 0; i < 3; i++) await ask()
    // the door's controller and the attempt's come back once the response is over
    await expect.poll(() => idleControllers()).toBeGreaterThanOrEqual(2)
    await new Promise((settled) => setTimeout(settled, 20)) // the last response's 'close' has run
    const idle = idleControllers()
    const before = fake.closedEarly
    const { res, controller } = await hangingStream()
    expect(idleControllers()).toBe(idle - 2) // this request holds two reused controllers
    controller.abort()
    await expect.poll(() => fake.closedEarly, { timeout: 3000 }).toBe(before + 1)
    expect((await record(res)).status).toBe(499)
    // aborted controllers are never given back: the next request is served as usual
    expect(idleControllers()).toBe(idle - 2)
    expect((await ask()).choices[0]!.message.content).toBeTruthy()
  })
})

describe('streaming details', () => {
  it('sends ": ping" comments while the upstream is silent', async () => {
    const res = await fetch(`${app.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'pause', messages: [{ role: 'user', content: 'x' }], stream: true }),
    })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    const text = await res.text()
    expect(text).toContain(': ping\n\n')
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
  })
})

describe('multi-turn through the core', () => {
  it('continues the upstream conversation on the credential that holds it', async () => {
    const client = app.openai()
    const first = await client.chat.completions.create({ model: 'mem', messages: [{ role: 'user', content: '第一问' }] })
    const firstCall = mem.calls.at(-1)!
    expect(first.id).toMatch(/^conv-/)
    expect(firstCall.continueFrom).toBeUndefined()
    const history = [
      { role: 'user' as const, content: '第一问' },
      { role: 'assistant' as const, content: `<think>\nthinking…\n</think>\n\n${first.choices[0]!.message.content}` },
      { role: 'user' as const, content: '第二问' },
    ]
    const second = await client.chat.completions.create({ model: 'mem', messages: history })
    const call = mem.calls.at(-1)!
    expect(call.secret).toBe(firstCall.secret)
    expect(call.continueFrom).toMatchObject({ conversationId: first.id })
    expect(second.id).toBe(first.id)
    // Another model never continues this conversation.
    await client.chat.completions.create({ model: 'mem-search', messages: history })
    expect(mem.calls.at(-1)!.continueFrom).toMatchObject({ conversationId: first.id })
    const edited = [...history.slice(0, 2), { role: 'user' as const, content: '第二问' }]
    edited[0] = { role: 'user', content: '改过的第一问' }
    await client.chat.completions.create({ model: 'mem', messages: edited })
    expect(mem.calls.at(-1)!.continueFrom).toBeUndefined()
  })

  it('deletes one-shot conversations upstream when multi_turn is off', async () => {
    const res = await app.openai().chat.completions.create({ model: 'once', messages: [{ role: 'user', content: 'x' }] })
    await expect.poll(() => once.deleted).toContain(res.id)
    const explicit = await app.openai().chat.completions.create({ model: 'once', messages: [{ role: 'user', content: 'y' }], conversation_id: 'mine' } as any)
    expect(explicit.id).toBe('conv-3')
    await new Promise((r) => setTimeout(r, 30))
    expect(once.deleted).not.toContain('conv-3')
  })
})

describe('pass-through tokens', () => {
  it('uses the caller bearer tokens for this request only, never storing them', async () => {
    const res = await app.openai('tok-a,tok-b').chat.completions.create({ model: 'pass-model', messages: [{ role: 'user', content: 'x' }] })
    expect(res.choices[0]!.message.content).toContain('你好')
    expect(fake.requests.slice(-2).map((r) => r.headers.authorization)).toEqual(['Bearer tok-a', 'Bearer tok-b'])
    expect(app.services.pool.entries('pass')).toEqual([])
  })
})
