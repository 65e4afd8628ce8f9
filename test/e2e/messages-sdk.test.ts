// Anthropic's official SDK through Freeway's Messages door, against the fake OpenAI upstream.
import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listRecords } from '../../src/db/records.repo.js'
import { listUsage } from '../../src/db/usage.repo.js'
import { findUser, grantTokens } from '../../src/db/users.repo.js'
import { SYNTHETIC_SIGNATURE } from '../../src/http/doors/messages/reply.js'
import { estimatePromptTokens, estimateTextTokens } from '../../src/kit/tokens.js'
import { AGENT_CALL_ID, FAKE_ANSWER, FAKE_USAGE, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor } from '../helpers/compat.js'

let fake: FakeOpenAI
let app: TestApp
let key: string
let client: Anthropic

const weather: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}
const hi: Anthropic.MessageParam[] = [{ role: 'user', content: 'hi' }]
const sdk = (apiKey: string, extra: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) =>
  new Anthropic({ apiKey, baseURL: app.url, maxRetries: 0, timeout: 15_000, ...extra })

beforeAll(async () => {
  fake = await startFakeOpenAI()
  const upstream = { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good' }
  app = await startTestApp({
    config: {
      providers: {
        upstream: { ...upstream, models: ['fake-model', 'agent', 'reasoner', 'drop'] },
        // Failures cool or count against a credential, so each gets an instance of its own.
        limited: { ...upstream, models: ['rate-limited'] },
        failing: { ...upstream, models: ['broken'] },
      },
      billing: { prices: { 'fake-model': { per_call: 3 } } },
    },
  })
  key = await keyFor(app, 'ada')
  await grantTokens(app.services.db, 'ada', 1000)
  client = sdk(key)
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const lastSent = () => fake.requests.at(-1)!.body

describe('messages.create', () => {
  it('answers a text turn as a message object, billed as an API chat', async () => {
    const before = (await listUsage(app.services.db, { limit: 1000 })).length
    // temperature and top_k left the SDK's types (newer models refuse them); older clients still send them.
    const params = { model: 'fake-model', max_tokens: 1024, system: 'Be brief.', messages: hi, temperature: 0.2, top_k: 5 }
    const msg = await client.messages.create(params as Anthropic.MessageCreateParamsNonStreaming)
    expect(msg).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'fake-model',
      content: [{ type: 'text', text: FAKE_ANSWER.join('') }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: FAKE_USAGE.prompt_tokens, output_tokens: FAKE_USAGE.completion_tokens },
    })
    expect(msg.id).toMatch(/^msg_[A-Za-z0-9_-]+$/)
    expect(lastSent()).toMatchObject({
      model: 'fake-model',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }],
      max_tokens: 1024,
      temperature: 0.2,
      top_k: 5,
      stream: false,
    })
    await app.services.billing.flush()
    await app.services.recorder.flush()
    expect((await findUser(app.services.db, 'ada'))!.availToken).toBe(997)
    expect((await listUsage(app.services.db, { limit: 1000 })).length).toBe(before + 1)
    expect((await listRecords(app.services.db, { offset: 0, limit: 1, userId: 'ada' })).list[0]).toMatchObject({ recordType: 1, model: 'fake-model', answer: FAKE_ANSWER.join('') })
  })

  it('streams the same answer as events the SDK assembles', async () => {
    const stream = await client.messages.create({ model: 'fake-model', max_tokens: 64, messages: hi, stream: true })
    const types: string[] = []
    let text = ''
    for await (const e of stream) {
      types.push(e.type)
      if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text
      if (e.type === 'message_delta') expect(e.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 })
    }
    expect(text).toBe(FAKE_ANSWER.join(''))
    expect(types[0]).toBe('message_start')
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop'])
    expect(lastSent().stream).toBe(true)
  })

  it('takes Authorization: Bearer as well as x-api-key, and the beta route (?beta=true)', async () => {
    const bearer = sdk('', { apiKey: null, authToken: key })
    const msg = await bearer.beta.messages.create({ model: 'fake-model', max_tokens: 64, messages: hi, betas: ['interleaved-thinking-2025-05-14'] })
    expect(msg.content).toEqual([{ type: 'text', text: FAKE_ANSWER.join('') }])
  })
})

describe('messages.stream', () => {
  it('gives finalMessage() with text and usage', async () => {
    const stream = client.messages.stream({ model: 'fake-model', max_tokens: 64, messages: hi })
    let text = ''
    stream.on('text', (t) => {
      text += t
    })
    const msg = await stream.finalMessage()
    expect(text).toBe(FAKE_ANSWER.join(''))
    expect(msg.content).toEqual([{ type: 'text', text: FAKE_ANSWER.join('') }])
    expect(msg.stop_reason).toBe('end_turn')
    expect(msg.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 })
  })

  it('turns upstream reasoning into a signed-looking thinking block before the text', async () => {
    const params = { model: 'reasoner', max_tokens: 4096, thinking: { type: 'enabled' as const, budget_tokens: 2048 }, messages: hi }
    const streamed = await client.messages.stream(params).finalMessage()
    const whole = await client.messages.create(params)
    for (const msg of [streamed, whole]) {
      expect(msg.content).toEqual([
        { type: 'thinking', thinking: '先想一想。', signature: SYNTHETIC_SIGNATURE },
        { type: 'text', text: FAKE_ANSWER.join('') },
      ])
    }
  })
})

describe('tool use round trip', () => {
  for (const stream of [true, false]) {
    it(`tool_use → tool_result → answer (${stream ? 'stream' : 'whole'})`, async () => {
      const ask = async (messages: Anthropic.MessageParam[]) =>
        stream
          ? client.messages.stream({ model: 'agent', max_tokens: 256, tools: [weather], messages }).finalMessage()
          : client.messages.create({ model: 'agent', max_tokens: 256, tools: [weather], tool_choice: { type: 'auto' }, messages })
      const question: Anthropic.MessageParam = { role: 'user', content: 'Weather in Beijing?' }
      const first = await ask([question])
      expect(first.stop_reason).toBe('tool_use')
      const call = first.content.find((b) => b.type === 'tool_use')!
      expect(call).toEqual({ type: 'tool_use', id: `toolu_${AGENT_CALL_ID}`, name: 'get_weather', input: { city: '北京' } })
      expect(lastSent().tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: weather.input_schema } }])

      const second = await ask([
        question,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '晴，25°C' }] },
      ])
      expect(second.stop_reason).toBe('end_turn')
      expect(second.content).toEqual([{ type: 'text', text: 'The tool said: 晴，25°C' }])
      // The fake enforces OpenAI's rule: the tool message answers the call of the message before it.
      expect(lastSent().messages.slice(1)).toEqual([
        { role: 'assistant', content: null, tool_calls: [{ id: AGENT_CALL_ID, type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }] },
        { role: 'tool', tool_call_id: AGENT_CALL_ID, content: '晴，25°C' },
      ])
    })
  }
})

const fails = async (p: Promise<unknown>) => p.then(() => expect.unreachable('expected an error'), (e) => e as InstanceType<typeof Anthropic.APIError>)

describe('errors as the SDK types them', () => {
  it('upstream 429 → RateLimitError (rate_limit_error)', async () => {
    const err = await fails(client.messages.create({ model: 'rate-limited', max_tokens: 8, messages: hi }))
    expect(err).toBeInstanceOf(Anthropic.RateLimitError)
    expect(err.status).toBe(429)
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } })
  })

  it('upstream 500 → InternalServerError (api_error), streaming or not', async () => {
    for (const stream of [false, true]) {
      const err = await fails(client.messages.create({ model: 'broken', max_tokens: 8, messages: hi, stream }))
      expect(err).toBeInstanceOf(Anthropic.InternalServerError)
      expect(err.status).toBe(502)
      expect(err.type).toBe('api_error')
    }
  })

  it('unknown model → NotFoundError (not_found_error)', async () => {
    const err = await fails(client.messages.create({ model: 'no-such-model', max_tokens: 8, messages: hi }))
    expect(err).toBeInstanceOf(Anthropic.NotFoundError)
    expect(err.error).toEqual({ type: 'error', error: { type: 'not_found_error', message: 'The model `no-such-model` does not exist or is not enabled' } })
  })

  it('bad key → AuthenticationError (authentication_error)', async () => {
    const err = await fails(sdk('sk-wrong').messages.create({ model: 'fake-model', max_tokens: 8, messages: hi }))
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError)
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
  })

  it('a bad request → BadRequestError (invalid_request_error) naming the field', async () => {
    const err = await fails(client.messages.create({ model: 'fake-model', messages: hi } as any))
    expect(err).toBeInstanceOf(Anthropic.BadRequestError)
    expect(err.error).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } })
  })

  it('an upstream that drops mid-stream → an error event the SDK throws as an APIError', async () => {
    const stream = await client.messages.create({ model: 'drop', max_tokens: 8, messages: hi, stream: true })
    let text = ''
    const err = await fails(
      (async () => {
        for await (const e of stream) if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text
      })(),
    )
    expect(err).toBeInstanceOf(Anthropic.APIError)
    expect(err.type).toBe('api_error')
    expect(text).toBe(FAKE_ANSWER.slice(0, 2).join(''))
  })
})

describe('count_tokens', () => {
  it('answers the tokenizer estimate of the mapped prompt and tools, and bills nothing', async () => {
    await app.services.recorder.flush()
    const rows = (await listUsage(app.services.db, { limit: 1000 })).length
    const sentBefore = fake.requests.length
    const res = await client.messages.countTokens({ model: 'fake-model', system: 'Be brief.', tools: [weather], messages: hi })
    const mapped = [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'hi' }]
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: weather.input_schema, description: weather.description } }]
    expect(res).toEqual({ input_tokens: estimatePromptTokens(mapped) + estimateTextTokens(JSON.stringify(tools)) })
    await app.services.recorder.flush()
    expect((await listUsage(app.services.db, { limit: 1000 })).length).toBe(rows)
    expect(fake.requests.length).toBe(sentBefore)
  })

  it('checks the key and the model like messages does', async () => {
    const missing = await fails(client.beta.messages.countTokens({ model: 'no-such-model', messages: hi }))
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError)
    expect(missing.type).toBe('not_found_error')
    const unauthorized = await fails(sdk('sk-wrong').messages.countTokens({ model: 'fake-model', messages: hi }))
    expect(unauthorized).toBeInstanceOf(Anthropic.AuthenticationError)
    const narrow = sdk(await keyFor(app, 'narrow', { allowedModels: ['fake-model'] }))
    expect((await narrow.messages.countTokens({ model: 'fake-model', messages: hi })).input_tokens).toBeGreaterThan(0)
    const forbidden = await fails(narrow.messages.countTokens({ model: 'agent', messages: hi }))
    expect(forbidden).toBeInstanceOf(Anthropic.PermissionDeniedError)
    expect(forbidden.type).toBe('permission_error')
  })
})
