// The Responses door through the official openai SDK (responses.create, responses.stream) and raw
// HTTP, against the fake OpenAI-compatible upstream and an in-process web-chat provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { providers } from '../../providers/index.js'
import { listRecords } from '../../src/db/records.repo.js'
import { findUsageByRequest } from '../../src/db/usage.repo.js'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor, sseData } from '../helpers/compat.js'
import { memoryProvider } from '../helpers/memory-provider.js'

const mem = memoryProvider('mem-web', [{ id: 'mem' }])
let fake: FakeOpenAI
let app: TestApp
/** Once a key exists, anonymous loopback calls stop working: every call here uses one. */
let key: string

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    definitions: [...providers, mem.def],
    config: {
      providers: {
        up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'tools', 'reasoner', 'agent', 'drop', 'hang'] },
        // Failures cool a credential, so each failing model has an instance of its own.
        limited: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['rate-limited'] },
        limited2: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: [{ id: 'rate-limited-2', upstream: 'rate-limited' }] },
        failing: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['broken'] },
        failing2: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: [{ id: 'broken-2', upstream: 'broken' }] },
        'mem-web': { credentials: ['acct-1'] },
      },
    },
  })
  key = await keyFor(app, 'main')
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const post = (body: unknown, as = key, signal?: AbortSignal) =>
  fetch(`${app.baseURL}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  })
const get = (path: string, as = key, method = 'GET') => fetch(`${app.baseURL}${path}`, { method, headers: { authorization: `Bearer ${as}` } })
const client = () => app.openai(key)
const errorOf = async (res: Response) => ((await res.json()) as { error: Record<string, unknown> }).error
const lastSent = () => fake.requests.at(-1)!.body

describe('responses.create', () => {
  it('answers whole, with the request mapped to a chat request upstream', async () => {
    const { data, response } = await client()
      .responses.create({
        model: 'fake-model',
        instructions: 'Be brief.',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
        max_output_tokens: 100,
        temperature: 0.3,
        text: { format: { type: 'json_schema', name: 'greeting', schema: { type: 'object' }, strict: true } },
        metadata: { ticket: '42' },
      })
      .withResponse()
    expect(data).toMatchObject({ object: 'response', status: 'completed', model: 'fake-model', metadata: { ticket: '42' }, instructions: 'Be brief.' })
    expect(data.id).toMatch(/^resp_/)
    expect(data.output_text).toBe(FAKE_ANSWER.join(''))
    expect(data.usage).toMatchObject({ input_tokens: 11, output_tokens: 7, total_tokens: 18 })
    expect(lastSent()).toEqual({
      model: 'fake-model',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      stream: false,
      temperature: 0.3,
      max_tokens: 100,
      response_format: { type: 'json_schema', json_schema: { name: 'greeting', schema: { type: 'object' }, strict: true } },
    })
    // Billed and recorded as an API chat (record type 1), like /v1/chat/completions.
    const requestId = response.headers.get('x-request-id')!
    const usageRow = async () => {
      await app.services.recorder.flush()
      return (await findUsageByRequest(app.services.db, requestId))
    }
    await expect.poll(usageRow).toMatchObject({ status: 200, promptTokens: 11 })
    await app.services.billing.flush()
    const [record] = (await listRecords(app.services.db, { offset: 0, limit: 1 })).list
    expect(record).toMatchObject({ recordType: 1, question: 'hi', answer: FAKE_ANSWER.join(''), model: 'fake-model' })
  })

  it('streams events the SDK reads, reasoning included', async () => {
    const stream = await client().responses.create({ model: 'reasoner', input: 'q', stream: true })
    const events = []
    for await (const e of stream) events.push(e)
    expect(events[0]!.type).toBe('response.created')
    const completed = events.at(-1)!
    if (completed.type !== 'response.completed') throw new Error(`ended with ${completed.type}`)
    expect(completed.response.output.map((i) => i.type)).toEqual(['reasoning', 'message'])
    const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []))
    expect(deltas.join('')).toBe(FAKE_ANSWER.join(''))
    expect(events.flatMap((e) => (e.type === 'response.reasoning_summary_text.delta' ? [e.delta] : [])).join('')).toBe('先想一想。')
    expect(lastSent().stream).toBe(true)
  })

  it('responses.stream() accumulates the final response', async () => {
    const stream = client().responses.stream({ model: 'fake-model', input: 'hi' })
    let deltas = ''
    stream.on('response.output_text.delta', (e) => {
      deltas += e.delta
    })
    const final = await stream.finalResponse()
    expect(final.output_text).toBe(FAKE_ANSWER.join(''))
    expect(deltas).toBe(FAKE_ANSWER.join(''))
    expect(final.status).toBe('completed')
  })

  it('completes a tool round trip through previous_response_id', async () => {
    const c = client()
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }]
    const first = await c.responses.create({ model: 'agent', input: 'weather in Beijing?', tools, parallel_tool_calls: false, prompt_cache_key: 'pk' })
    const call = first.output[0]
    if (call?.type !== 'function_call') throw new Error('expected a function call')
    expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"北京"}', status: 'completed' })
    expect(lastSent()).toMatchObject({ parallel_tool_calls: false, prompt_cache_key: 'pk', tools: [{ type: 'function', function: { name: 'get_weather' } }] })
    const second = await c.responses.create({
      model: 'agent',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '晴，25°C' }],
      tools,
      stream: true,
    })
    let text = ''
    for await (const e of second) if (e.type === 'response.output_text.delta') text += e.delta
    expect(text).toBe('The tool said: 晴，25°C')
    expect(lastSent().messages).toEqual([
      { role: 'user', content: 'weather in Beijing?' },
      { role: 'assistant', content: null, tool_calls: [{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }] },
      { role: 'tool', tool_call_id: call.call_id, content: '晴，25°C' },
    ])
  })

  it('resolves an item_reference to an earlier output item', async () => {
    const first = await client().responses.create({ model: 'fake-model', input: 'one' })
    const item = first.output[0]!
    await client().responses.create({ model: 'fake-model', input: [{ role: 'user', content: 'one' }, { type: 'item_reference', id: item.id! }, { role: 'user', content: 'two' }] })
    expect(lastSent().messages).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: FAKE_ANSWER.join('') },
      { role: 'user', content: 'two' },
    ])
  })
})

describe('stored responses', () => {
  it('serves GET, input_items and DELETE to the owner only', async () => {
    const alice = await keyFor(app, 'alice')
    const alice2 = await keyFor(app, 'alice')
    const bob = await keyFor(app, 'bob')
    const created = await app.openai(alice).responses.create({ model: 'fake-model', input: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] })
    const fetched = await app.openai(alice2).responses.retrieve(created.id)
    expect(fetched).toMatchObject({ id: created.id, status: 'completed', output: created.output })
    const items = await app.openai(alice).responses.inputItems.list(created.id, { order: 'asc' })
    expect(items.data.map((i: any) => i.content[0].text)).toEqual(['a', 'b'])
    const page = await (await get(`/responses/${created.id}/input_items?limit=1`, alice)).json()
    expect(page).toMatchObject({ object: 'list', has_more: true, data: [{ content: [{ text: 'b' }] }] })
    const foreign = await get(`/responses/${created.id}`, bob)
    expect(foreign.status).toBe(404)
    expect(await foreign.json()).toEqual({ error: { message: `Response with id '${created.id}' not found.`, type: 'invalid_request_error', param: null, code: 'not_found' } })
    expect((await get(`/responses/${created.id}`, bob, 'DELETE')).status).toBe(404)
    const cont = await post({ model: 'fake-model', input: 'x', previous_response_id: created.id }, bob)
    expect(cont.status).toBe(404)
    expect(await errorOf(cont)).toMatchObject({ code: 'previous_response_not_found', param: 'previous_response_id' })
    const deleted = await get(`/responses/${created.id}`, alice, 'DELETE')
    expect(await deleted.json()).toEqual({ id: created.id, object: 'response', deleted: true })
    expect((await get(`/responses/${created.id}`, alice)).status).toBe(404)
  })

  it('lists its routes in the OpenAPI document and asks for a key', async () => {
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as any
    expect(doc.paths['/v1/responses'].post.summary).toMatch(/Responses API/)
    expect(Object.keys(doc.paths['/v1/responses/{id}'])).toEqual(['get', 'delete'])
    expect(doc.paths['/v1/responses/{id}/input_items'].get).toBeDefined()
    expect((await fetch(`${app.baseURL}/responses/resp_x`)).status).toBe(401)
  })

  it('stores nothing with store: false', async () => {
    const res = await client().responses.create({ model: 'fake-model', input: 'x', store: false })
    expect((res as unknown as { store: boolean }).store).toBe(false)
    expect((await get(`/responses/${res.id}`)).status).toBe(404)
  })

  it('continues a web chat upstream conversation across previous_response_id', async () => {
    const c = client()
    const first = await c.responses.create({ model: 'mem', instructions: '你是助手。', input: '第一问' })
    expect(mem.calls.at(-1)!.continueFrom).toBeUndefined()
    expect(first.output.map((i) => i.type)).toEqual(['reasoning', 'message'])
    await c.responses.create({ model: 'mem', instructions: '你是助手。', input: '第二问', previous_response_id: first.id })
    const second = mem.calls.at(-1)!
    expect(second.lastUser).toBe('第二问')
    expect(second.continueFrom?.conversationId).toMatch(/^conv-/)
  })
})

describe('failures', () => {
  it('renders failures before the first byte as OpenAI errors with their status, stream or not', async () => {
    for (const [stream, suffix] of [[false, ''], [true, '-2']] as const) {
      const limited = await post({ model: `rate-limited${suffix}`, input: 'x', stream })
      expect(limited.status).toBe(429)
      expect(await errorOf(limited)).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null })
      const broken = await post({ model: `broken${suffix}`, input: 'x', stream })
      expect(broken.status).toBe(502)
      expect(await errorOf(broken)).toMatchObject({ type: 'api_error', code: 'upstream_error' })
    }
    const unknown = await post({ model: 'no-such-model', input: 'x' })
    expect(unknown.status).toBe(404)
    expect(await errorOf(unknown)).toMatchObject({ code: 'model_not_found', param: 'model' })
    const bad = await post({ model: 'fake-model', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] })
    expect(bad.status).toBe(400)
    expect(await errorOf(bad)).toMatchObject({ type: 'invalid_request_error', code: 'not_supported', param: 'input.0.content.0.file_id' })
  })

  it('ends a stream the upstream dropped with response.failed', async () => {
    const res = await post({ model: 'drop', input: 'x', stream: true })
    expect(res.status).toBe(200)
    const events = sseData(await res.text())
    expect(events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('')).toBe(FAKE_ANSWER.slice(0, 2).join(''))
    const last = events.at(-1)
    expect(last.type).toBe('response.failed')
    expect(last.response).toMatchObject({ status: 'failed', error: { code: 'upstream_error' } })
    expect(events.some((e) => e.type === 'response.completed')).toBe(false)
  })

  it('aborts the upstream when the client leaves mid-stream', async () => {
    const before = fake.closedEarly
    const controller = new AbortController()
    const res = await post({ model: 'hang', input: 'x', stream: true }, key, controller.signal)
    await res.body!.getReader().read()
    controller.abort()
    await expect.poll(() => fake.closedEarly, { timeout: 3000 }).toBe(before + 1)
  })
})
