// The Messages door on the wire, without an SDK: the bytes Freeway streams, read back by a strict
// reader at every split; failures before and after the first byte; limits, pings, the route
// prefix, and Claude Code's HEAD / warm-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { foldMessagesStream, sseEvents } from '../helpers/anthropic-stream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { everySplit } from '../helpers/chunks.js'
import { keyFor, waitFor } from '../helpers/compat.js'

let fake: FakeOpenAI
let app: TestApp
let key: string
const PREFIX = '/relay'
const BODY_LIMIT = 64 * 1024

beforeAll(async () => {
  fake = await startFakeOpenAI()
  const upstream = { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good' }
  app = await startTestApp({
    config: {
      server: { route_prefix: PREFIX, body_limit: BODY_LIMIT, ping_interval_ms: 20 },
      providers: { upstream: { ...upstream, models: ['fake-model', 'agent', 'reasoner', 'drop', 'pause', 'hang', 'slow-headers'] }, failing: { ...upstream, models: ['broken'] } },
    },
  })
  key = await keyFor(app, 'wire')
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const hi = [{ role: 'user', content: 'hi' }]

async function post(body: unknown, path = '/v1/messages?beta=true', headers: Record<string, string> = { 'x-api-key': key }) {
  const res = await fetch(`${app.url}${PREFIX}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'claude-code-20250219', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) }
}
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const json = (bytes: Uint8Array) => JSON.parse(text(bytes))

/** The stream folded whole and at every byte boundary, which must agree. */
function fold(bytes: Uint8Array) {
  const whole = foldMessagesStream(sseEvents([bytes]))
  for (const chunks of everySplit(bytes)) expect(foldMessagesStream(sseEvents(chunks))).toEqual(whole)
  return whole
}

describe('streams on the wire', () => {
  it('text: named events, input tokens final in message_delta, readable at every split', async () => {
    const res = await post({ model: 'fake-model', max_tokens: 64, messages: hi, stream: true })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const { message, names } = fold(res.bytes)
    expect(message.content).toEqual([{ type: 'text', text: FAKE_ANSWER.join('') }])
    expect(message.stop_reason).toBe('end_turn')
    // The upstream's usage comes last: message_start had nothing yet, message_delta has it all.
    expect(message.usage).toEqual({ input_tokens: 11, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 })
    expect(names.slice(0, 3)).toEqual(['message_start', 'ping', 'content_block_start'])
  })

  it('thinking then text, and a tool call streamed as input_json_delta', async () => {
    const thinking = fold((await post({ model: 'reasoner', max_tokens: 64, messages: hi, stream: true, thinking: { type: 'adaptive' } })).bytes)
    expect(thinking.message.content.map((b: any) => b.type)).toEqual(['thinking', 'text'])
    expect(thinking.message.content[0].thinking).toBe('先想一想。')

    const tools = [{ name: 'get_weather', input_schema: { type: 'object' } }]
    const call = fold((await post({ model: 'agent', max_tokens: 64, messages: hi, stream: true, tools })).bytes)
    expect(call.message.content).toEqual([{ type: 'tool_use', id: 'toolu_call_agent_1', name: 'get_weather', input: { city: '北京' } }])
    expect(call.message.stop_reason).toBe('tool_use')
    expect(call.names.filter((n) => n === 'content_block_delta').length).toBe(2)
  })

  it('sends ping events while the upstream is silent', async () => {
    const { names, message } = fold((await post({ model: 'pause', max_tokens: 64, messages: hi, stream: true })).bytes)
    expect(message.content).toEqual([{ type: 'text', text: FAKE_ANSWER.join('') }])
    // One ping follows message_start; the others come from the idle timer between deltas.
    expect(names.filter((n) => n === 'ping').length).toBeGreaterThan(1)
  })

  it('a failure after the first byte ends the stream with an error event', async () => {
    const res = await post({ model: 'drop', max_tokens: 64, messages: hi, stream: true })
    expect(res.status).toBe(200)
    const { message, error, names } = fold(res.bytes)
    expect(error).toMatchObject({ type: 'error', error: { type: 'api_error' } })
    expect(error.error.message).toMatch(/\S/)
    expect(message.content).toEqual([{ type: 'text', text: FAKE_ANSWER.slice(0, 2).join('') }])
    expect(names.at(-1)).toBe('error')
  })

  it('a failure before the first byte is a JSON error with the core\'s status', async () => {
    const res = await post({ model: 'broken', max_tokens: 64, messages: hi, stream: true })
    expect(res.status).toBe(502)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(json(res.bytes)).toMatchObject({ type: 'error', error: { type: 'api_error' } })
  })
})

describe('a client that goes away', () => {
  it('stops the upstream call, streaming or not', async () => {
    // 'hang' streams a little and then nothing; 'slow-headers' keeps a whole answer waiting.
    for (const [model, stream] of [['hang', true], ['slow-headers', false]] as const) {
      const closed = fake.closedEarly
      const abort = new AbortController()
      const pending = fetch(`${app.url}${PREFIX}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ model, max_tokens: 8, messages: hi, stream }),
        signal: abort.signal,
      })
      if (stream) {
        const res = await pending
        const reader = res.body!.getReader()
        let seen = ''
        while (!seen.includes('text_delta')) seen += new TextDecoder().decode((await reader.read()).value)
      } else await waitFor(() => fake.requests.at(-1)?.body.model === model)
      abort.abort()
      await pending.catch(() => undefined)
      // Generous: settling the abandoned turn may load the tokenizer for its estimate first.
      await waitFor(() => fake.closedEarly === closed + 1, 15_000)
    }
  })
})

describe('errors in Anthropic\'s shape', () => {
  it('missing key → 401 authentication_error; unknown key by Bearer → 401', async () => {
    const none = await post({ model: 'fake-model', max_tokens: 8, messages: hi }, '/v1/messages', {})
    expect(none.status).toBe(401)
    expect(json(none.bytes)).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'missing API key (Authorization: Bearer <key>)' } })
    const bad = await post({ model: 'fake-model', max_tokens: 8, messages: hi }, '/v1/messages', { authorization: 'Bearer sk-nope' })
    expect(json(bad.bytes).error.type).toBe('authentication_error')
  })

  it('a body over the limit → 413 request_too_large', async () => {
    const res = await post({ model: 'fake-model', max_tokens: 8, messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT) }] })
    expect(res.status).toBe(413)
    expect(json(res.bytes).error.type).toBe('request_too_large')
  })

  it('bad JSON and a body nested 5,000 deep → 400 invalid_request_error; the upstream is never called', async () => {
    const sent = fake.requests.length
    const broken = await post('{"model":')
    expect(broken.status).toBe(400)
    expect(json(broken.bytes).error.type).toBe('invalid_request_error')
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`
    const nested = await post(`{"model":"fake-model","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"context_management":${deep}}`)
    expect(nested.status).toBe(400)
    expect(json(nested.bytes).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/nested deeper than 64 levels/) })
    expect(fake.requests.length).toBe(sent)
  })

  it("an upstream's own 400 comes back as invalid_request_error (a tool_result that answers no tool_use)", async () => {
    const orphan = [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_nobody', content: 'x' }] }]
    const res = await post({ model: 'fake-model', max_tokens: 8, messages: orphan })
    expect(res.status).toBe(400)
    expect(json(res.bytes).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining("role 'tool' must be a response") })
  })

  it('count_tokens refuses an unknown model with 404 not_found_error', async () => {
    const res = await post({ model: 'nope', messages: hi }, '/v1/messages/count_tokens?beta=true')
    expect(res.status).toBe(404)
    expect(json(res.bytes).error.type).toBe('not_found_error')
    const ok = await post({ model: 'fake-model', messages: hi }, '/v1/messages/count_tokens')
    expect(json(ok.bytes)).toEqual({ input_tokens: expect.any(Number) })
  })
})

describe('routes', () => {
  it('serves the door under the route prefix only', async () => {
    const res = await fetch(`${app.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key }, body: JSON.stringify({ model: 'fake-model', max_tokens: 8, messages: hi }) })
    expect(res.status).toBe(404)
    await res.arrayBuffer()
  })

  it("answers Claude Code's HEAD / warm-up without disturbing the next request", async () => {
    const head = await fetch(`${app.url}/`, { method: 'HEAD' })
    expect(head.status).toBeLessThan(500)
    const res = await post({ model: 'fake-model', max_tokens: 8, messages: hi })
    expect(json(res.bytes).content).toEqual([{ type: 'text', text: FAKE_ANSWER.join('') }])
  })
})
