// The adapter against the fake Messages API: streaming and not, tools, thinking, limits, errors, probe.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatMessage, ChatRequest, DeltaEvent } from '../../src/kit/types.js'
import {
  ANSWER_PARTS, type FakeAnthropic, GOOD_KEY, THINKING_PARTS, TOOL_INTRO, startFakeAnthropic,
} from '../../test/fakes/anthropic-api.js'
import { collectEvents, createAdapter, makeContext, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import definition, { normalizeSecret } from './index.js'
import type { AnthropicSettings } from './settings.js'

let fake: FakeAnthropic
beforeEach(async () => {
  fake = await startFakeAnthropic()
})
afterEach(() => fake.close())

const weatherTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }

function request(over: Partial<ChatRequest> = {}, messages: ChatMessage[] = [{ role: 'user', content: '你好' }]): ChatRequest {
  return { model: 'claude-sonnet-4-5', requestedModel: 'claude-sonnet-4-5', flags: new Set(), messages, stream: true, extra: {}, ...over }
}

interface RunOptions {
  secret?: string
  settings?: Record<string, unknown>
  signal?: AbortSignal
  baseUrl?: string
}

/** The adapter and a call context built from the same settings, the way the app builds them. */
function setup(o: RunOptions = {}) {
  const baseUrl = o.baseUrl ?? fake.url
  const adapter = createAdapter(definition, baseUrl, o.settings ?? {})
  const settings = definition.settings!.parse(o.settings ?? {}) as AnthropicSettings
  const ctx = makeContext<AnthropicSettings>({ baseUrl, secret: o.secret ?? GOOD_KEY, settings, ...(o.signal ? { signal: o.signal } : {}) })
  return { adapter, ctx }
}

function run(req: ChatRequest, o: RunOptions = {}) {
  const { adapter, ctx } = setup(o)
  return collectEvents(adapter.chat(req, ctx))
}

const lastBody = () => fake.requests.at(-1)!.body
const tail = (events: DeltaEvent[]) => events.filter((e) => e.type === 'finish' || e.type === 'usage')

describe('anthropic-api adapter: answers', () => {
  it('streams text with the protocol headers, then finish and usage (cache tokens counted as prompt)', async () => {
    const events = await run(request(), { settings: { anthropic_beta: ['prompt-caching-2024-07-31', 'interleaved-thinking-2025-05-14'] } })
    expect(events.filter((e) => e.type === 'text')).toEqual(ANSWER_PARTS.map((text) => ({ type: 'text', text })))
    expect(tail(events)).toEqual([{ type: 'finish', reason: 'stop' }, { type: 'usage', promptTokens: 28, completionTokens: 5 }])
    const { headers, path } = fake.requests.at(-1)!
    expect(path).toBe('/v1/messages')
    expect(headers).toMatchObject({ 'x-api-key': GOOD_KEY, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'prompt-caching-2024-07-31,interleaved-thinking-2025-05-14' })
    expect(headers.authorization).toBeUndefined()
    expect(lastBody()).toMatchObject({ model: 'claude-sonnet-4-5', stream: true, max_tokens: 8192 })
  })

  it('answers non-streaming with the same events', async () => {
    const events = await run(request({ stream: false }))
    expect(textFrom(events)).toBe(ANSWER_PARTS.join(''))
    expect(tail(events)).toEqual([{ type: 'usage', promptTokens: 28, completionTokens: 5 }, { type: 'finish', reason: 'stop' }])
  })

  it('honours stop sequences and max_tokens truncation', async () => {
    const stopped = await run(request({ stop: [' Claude'] }))
    expect(textFrom(stopped)).toBe('Hello from')
    expect(stopped.find((e) => e.type === 'finish')).toEqual({ type: 'finish', reason: 'stop' })
    const cut = await run(request({ max_tokens: 2, stream: false }))
    expect(textFrom(cut)).toBe('Hello from')
    expect(cut.at(-1)).toEqual({ type: 'finish', reason: 'length' })
  })

  it('thinking via the -thinking flag streams reasoning before the answer', async () => {
    const events = await run(request({ flags: new Set(['thinking']) }))
    expect(reasoningFrom(events)).toBe(THINKING_PARTS.join(''))
    expect(textFrom(events)).toBe(ANSWER_PARTS.join(''))
    expect(events.findIndex((e) => e.type === 'reasoning')).toBeLessThan(events.findIndex((e) => e.type === 'text'))
    expect(lastBody()).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 8192 }, max_tokens: 8192 + 8192 })
  })

  it('adaptive-only models get adaptive thinking with the effort; a budget there is refused by the API', async () => {
    const events = await run(request({ model: 'claude-opus-4-7', reasoning: { effort: 'high' }, stream: false }))
    expect(reasoningFrom(events)).toBe(THINKING_PARTS.join(''))
    expect(lastBody()).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'high' } })
    // an operator who configures the model as a budget model gets the API's 400 as a client error
    const settings = { models: [{ id: 'opus-old-style', upstream: 'claude-opus-4-7', thinking: 'budget' }] }
    await expect(run(request({ model: 'claude-opus-4-7', flags: new Set(['thinking']) }), { settings })).rejects.toMatchObject({
      kind: 'invalid_request', upstreamStatus: 400, message: expect.stringContaining('thinking.type.enabled is not supported'),
    })
  })
})

describe('anthropic-api adapter: tools', () => {
  it('a tool call round trip: tool_use streamed as a tool call, the result answered', async () => {
    const first = await run(request({ tools: [weatherTool] }, [{ role: 'user', content: '北京天气？' }]))
    expect(textFrom(first)).toBe(TOOL_INTRO)
    const calls = first.filter((e) => e.type === 'tool_call')
    expect(calls[0]).toEqual({ type: 'tool_call', index: 0, id: 'toolu_01FakeBeijing', name: 'get_weather', args: '' })
    expect(calls.every((c) => c.type === 'tool_call' && c.index === 0)).toBe(true)
    const args = calls.map((c) => (c.type === 'tool_call' ? c.args : '')).join('')
    expect(JSON.parse(args)).toEqual({ city: '北京' })
    expect(first.find((e) => e.type === 'finish')).toEqual({ type: 'finish', reason: 'tool_calls' })

    const history: ChatMessage[] = [
      { role: 'user', content: '北京天气？' },
      { role: 'assistant', content: TOOL_INTRO, tool_calls: [{ id: 'toolu_01FakeBeijing', type: 'function', function: { name: 'get_weather', arguments: args } }] },
      { role: 'tool', tool_call_id: 'toolu_01FakeBeijing', content: '晴，25°C' },
    ]
    const second = await run(request({ tools: [weatherTool], stream: false }, history))
    expect(textFrom(second)).toBe('The tool said: 晴，25°C')
    expect(second.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('numbers parallel tool calls 0 and 1, and asks for one when parallel_tool_calls is false', async () => {
    const both = await run(request({ tools: [weatherTool], stream: false }, [{ role: 'user', content: 'both cities' }]))
    expect(both.filter((e) => e.type === 'tool_call').map((e) => e.type === 'tool_call' && [e.index, e.id, JSON.parse(e.args)])).toEqual([
      [0, 'toolu_01FakeBeijing', { city: '北京' }],
      [1, 'toolu_02FakeShanghai', { city: '上海' }],
    ])
    const one = await run(request({ tools: [weatherTool], extra: { parallel_tool_calls: false } }, [{ role: 'user', content: 'both cities' }]))
    expect(new Set(one.filter((e) => e.type === 'tool_call').map((e) => e.type === 'tool_call' && e.index))).toEqual(new Set([0]))
  })

  it('with thinking on, a forced tool turns thinking off rather than failing', async () => {
    const events = await run(request({ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } }, flags: new Set(['thinking']) }))
    expect(reasoningFrom(events)).toBe('')
    expect(lastBody().thinking).toBeUndefined()
    expect(lastBody().tool_choice).toEqual({ type: 'tool', name: 'get_weather' })
  })
})

describe('anthropic-api adapter: errors', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['fake-overloaded', { kind: 'unavailable', upstreamStatus: 529 }],
    ['fake-api-error', { kind: 'unavailable', upstreamStatus: 500 }],
    ['fake-rate-limited', { kind: 'rate_limited', upstreamStatus: 429, retryAfterMs: 7000 }],
    ['fake-forbidden', { kind: 'credential_invalid', upstreamStatus: 403 }],
    ['fake-no-credit', { kind: 'quota_exhausted', upstreamStatus: 400 }],
    ['fake-billing', { kind: 'quota_exhausted', upstreamStatus: 402 }],
    ['gpt-4o', { kind: 'invalid_request', upstreamStatus: 404, message: expect.stringContaining('model: gpt-4o') }],
  ]
  it.each(cases)('%s → %o', async (model, expected) => {
    await expect(run(request({ model }))).rejects.toMatchObject(expected)
  })

  it('a wrong key is credential_invalid (401 authentication_error)', async () => {
    await expect(run(request(), { secret: 'sk-ant-wrong' })).rejects.toMatchObject({ kind: 'credential_invalid', upstreamStatus: 401, message: expect.stringContaining('authentication_error') })
  })

  it('an error event after the first text: the text arrives, then the typed error', async () => {
    const { adapter, ctx } = setup()
    const seen: DeltaEvent[] = []
    const consume = async () => {
      for await (const e of adapter.chat(request({ model: 'fake-stream-error' }), ctx)) seen.push(e)
    }
    await expect(consume()).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringContaining('overloaded_error') })
    expect(seen).toEqual([{ type: 'text', text: 'Hello' }])
  })

  it('a client that goes away aborts the upstream stream', async () => {
    const controller = new AbortController()
    const { adapter, ctx } = setup({ signal: controller.signal })
    const consume = async () => {
      for await (const e of adapter.chat(request({ model: 'fake-hang' }), ctx)) if (e.type === 'text') controller.abort()
    }
    await expect(consume()).rejects.toThrow()
    await expect.poll(() => fake.closedEarly).toBe(1)
  })
})

describe('anthropic-api probe and setup', () => {
  const probe = (secret: string) => {
    const { adapter, ctx } = setup({ secret, baseUrl: `${fake.url}/` })
    return adapter.probe!(ctx)
  }

  it('GET /v1/models: ok for a good key, ok:false for a refused one', async () => {
    expect(await probe(GOOD_KEY)).toEqual({ ok: true })
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models' })
    expect(await probe('sk-ant-wrong')).toMatchObject({ ok: false, reason: expect.stringContaining('invalid x-api-key') })
  })

  it('other probe failures are thrown as typed errors, never ok:false', async () => {
    fake.modelsFailure = [529, 'overloaded_error']
    await expect(probe(GOOD_KEY)).rejects.toMatchObject({ kind: 'unavailable' })
    fake.modelsFailure = [429, 'rate_limit_error']
    await expect(probe(GOOD_KEY)).rejects.toMatchObject({ kind: 'rate_limited' })
  })

  it('lists the current Claude models with a -thinking suffix, or the configured ones', () => {
    const adapter = createAdapter(definition, fake.url)
    expect(adapter.models.map((m) => m.id)).toEqual(expect.arrayContaining(['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'claude-opus-4-7']))
    expect(adapter.models.every((m) => m.suffixes?.includes('thinking') && m.kind === undefined)).toBe(true)
    expect(adapter.embed).toBeUndefined() // the Messages API has no embeddings
    const custom = createAdapter(definition, fake.url, { models: ['deepseek-chat', { id: 'sonnet', upstream: 'claude-sonnet-4-6-20260101' }] })
    expect(custom.models).toEqual([
      { id: 'deepseek-chat', ownedBy: 'anthropic-api', suffixes: ['thinking'], meta: { thinking: 'budget' } },
      { id: 'sonnet', upstream: 'claude-sonnet-4-6-20260101', ownedBy: 'anthropic-api', suffixes: ['thinking'], meta: { thinking: 'adaptive' } },
    ])
  })

  it('normalises pasted keys', () => {
    expect(normalizeSecret('  sk-ant-api03-x ')).toBe('sk-ant-api03-x')
    expect(normalizeSecret('x-api-key: sk-ant-api03-x')).toBe('sk-ant-api03-x')
    expect(normalizeSecret('Authorization: Bearer sk-ant-api03-x')).toBe('sk-ant-api03-x')
  })
})

describe('the fake enforces the Messages API protocol', () => {
  const post = (body: Record<string, unknown>, headers: Record<string, string> = { 'x-api-key': GOOD_KEY, 'anthropic-version': '2023-06-01' }) =>
    fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => [r.status, await r.json()] as const)
  const ok = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }
  const refused = (message: RegExp) => [400, expect.objectContaining({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(message) } })]

  it('needs the key and the version header', async () => {
    expect((await post(ok))[0]).toBe(200)
    expect(await post(ok, { 'anthropic-version': '2023-06-01' })).toEqual([401, expect.objectContaining({ error: { type: 'authentication_error', message: 'invalid x-api-key' } })])
    expect(await post(ok, { 'x-api-key': GOOD_KEY })).toEqual(refused(/anthropic-version/))
  })

  it('refuses bodies the real API refuses', async () => {
    const { max_tokens: _, ...noMax } = ok
    expect(await post(noMax)).toEqual(refused(/max_tokens/))
    expect(await post({ ...ok, messages: [{ role: 'assistant', content: 'a' }, { role: 'user', content: 'b' }] })).toEqual(refused(/first message/))
    expect(await post({ ...ok, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] })).toEqual(refused(/alternate/))
    expect(await post({ ...ok, messages: [{ role: 'user', content: 'a' }, { role: 'system', content: 'b' }] })).toEqual(refused(/system/))
    expect(await post({ ...ok, frequency_penalty: 1 })).toEqual(refused(/Extra inputs/))
    const tools = [{ name: 'f', input_schema: { type: 'object' } }]
    const orphan = [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: '1' }] }]
    expect(await post({ ...ok, tools, messages: orphan })).toEqual(refused(/corresponding `tool_use`/))
    const unanswered = [{ role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] }, { role: 'user', content: 'next' }]
    expect(await post({ ...ok, tools, messages: unanswered })).toEqual(refused(/without `tool_result`/))
    expect(await post({ ...ok, messages: unanswered })).toEqual(refused(/must define tools/))
    expect(await post({ ...ok, thinking: { type: 'enabled', budget_tokens: 2000 } })).toEqual(refused(/greater than `thinking.budget_tokens`/))
    expect(await post({ ...ok, max_tokens: 5000, temperature: 0.5, thinking: { type: 'enabled', budget_tokens: 2000 } })).toEqual(refused(/temperature/))
  })
})
