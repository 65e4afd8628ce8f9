// Both directions at once: the openai SDK → Freeway A (anthropic-api provider) → Freeway B's
// Messages door → the fake OpenAI upstream. A's provider reads B's stream with its strict parser,
// so B's events, message objects and errors must be what Anthropic's API sends.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_CALL_ID, FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { drainChat } from '../helpers/sdk.js'
import { keyFor } from '../helpers/compat.js'

let fake: FakeOpenAI
let b: TestApp
let a: TestApp
let client: OpenAI

beforeAll(async () => {
  fake = await startFakeOpenAI()
  const upstream = { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good' }
  b = await startTestApp({
    config: { providers: { upstream: { ...upstream, models: ['fake-model', 'agent', 'reasoner', 'drop'] }, limited: { ...upstream, models: ['rate-limited'] } } },
  })
  const key = await keyFor(b, 'chain')
  const via = { base_url: b.url, credentials: [key] }
  a = await startTestApp({
    config: {
      providers: {
        'anthropic-api': { ...via, models: ['fake-model', 'agent', 'reasoner', 'drop'] },
        // A 429 cools the credential that got it, so the rate-limited model has an instance of its own.
        limited: { type: 'anthropic-api', ...via, models: ['rate-limited'] },
      },
    },
  })
  client = a.openai()
})
afterAll(async () => {
  await a.close()
  await b.close()
  await fake.close()
})

const hi = [{ role: 'user' as const, content: 'hi' }]
const weather = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]

describe('Freeway behind Freeway', () => {
  it('text, streaming and whole, with the upstream usage', async () => {
    const whole = await client.chat.completions.create({ model: 'fake-model', messages: hi })
    expect(whole.choices[0]!.message.content).toBe(FAKE_ANSWER.join(''))
    expect(whole.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 })
    const streamed = await drainChat(await client.chat.completions.create({ model: 'fake-model', messages: hi, stream: true }))
    expect(streamed.text).toBe(FAKE_ANSWER.join(''))
  })

  it('reasoning through thinking blocks (the -thinking suffix)', async () => {
    const streamed = await drainChat(await client.chat.completions.create({ model: 'reasoner-thinking', messages: hi, stream: true }))
    expect(streamed.reasoning).toBe('先想一想。')
    expect(streamed.text).toBe(FAKE_ANSWER.join(''))
  })

  it('a tool round trip keeps the call id the client saw', async () => {
    const first = await client.chat.completions.create({ model: 'agent', messages: [{ role: 'user', content: 'weather?' }], tools: weather })
    const call = first.choices[0]!.message.tool_calls![0]!
    expect(call).toMatchObject({ id: `toolu_${AGENT_CALL_ID}`, function: { name: 'get_weather', arguments: '{"city":"北京"}' } })
    const second = await drainChat(
      await client.chat.completions.create({
        model: 'agent',
        stream: true,
        tools: weather,
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: '晴' },
        ],
      }),
    )
    expect(second.text).toBe('The tool said: 晴')
  })

  it('errors keep their kind across both hops, before and after the first byte', async () => {
    const limited = await client.chat.completions.create({ model: 'rate-limited', messages: hi }).catch((e) => e)
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    const dropped = await drainChat(await client.chat.completions.create({ model: 'drop', messages: hi, stream: true })).catch((e) => e)
    expect(dropped).toBeInstanceOf(OpenAI.APIError)
  })
})
