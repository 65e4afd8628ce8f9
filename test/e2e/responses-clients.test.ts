// Real Responses API clients through Freeway: the Vercel AI SDK's default openai(model) provider
// and LangChain's ChatOpenAI with useResponsesApi, against the fake OpenAI-compatible upstream.
import { createOpenAI } from '@ai-sdk/openai'
import { type AIMessage, type AIMessageChunk, HumanMessage, ToolMessage } from '@langchain/core/messages'
import { ChatOpenAI } from '@langchain/openai'
import { generateText, stepCountIs, streamText, tool } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: {
      providers: {
        up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'reasoner', 'agent'] },
      },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const upstreamCalls = () => fake.requests.filter((r) => r.path === '/v1/chat/completions')
const lastSent = () => upstreamCalls().at(-1)!.body
const weather = { city: z.string() }

/** Which paths each client called: both must speak only the Responses API. */
const called = { ai: [] as string[], langchain: [] as string[] }
const recordingFetch =
  (into: string[]): typeof fetch =>
  (input, init) => {
    into.push(new URL(input instanceof Request ? input.url : String(input)).pathname)
    return fetch(input, init)
  }

describe('Vercel AI SDK (openai provider, Responses API)', () => {
  const provider = () => createOpenAI({ baseURL: app.baseURL, apiKey: 'anonymous', fetch: recordingFetch(called.ai) })

  it('generateText', async () => {
    const result = await generateText({ model: provider()('fake-model'), system: 'Be brief.', prompt: 'hi', maxRetries: 0 })
    expect(result.text).toBe(FAKE_ANSWER.join(''))
    expect(result.finishReason).toBe('stop')
    expect(result.usage).toMatchObject({ inputTokens: 11, outputTokens: 7 })
    expect(result.response.id).toMatch(/^resp_/)
    expect(lastSent().messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ])
  })

  it('streamText, reasoning included', async () => {
    const result = streamText({ model: provider()('reasoner'), prompt: 'q', maxRetries: 0 })
    let text = ''
    for await (const delta of result.textStream) text += delta
    expect(text).toBe(FAKE_ANSWER.join(''))
    expect(await result.reasoningText).toBe('先想一想。')
    expect(await result.finishReason).toBe('stop')
  })

  it('continues a conversation whose earlier answer it sends back as item_reference items', async () => {
    const first = await generateText({ model: provider()('reasoner'), prompt: 'a', maxRetries: 0 })
    const messages = [{ role: 'user' as const, content: 'a' }, ...first.response.messages, { role: 'user' as const, content: 'b' }]
    const second = await generateText({ model: provider()('fake-model'), messages, maxRetries: 0 })
    expect(second.text).toBe(FAKE_ANSWER.join(''))
    expect(lastSent().messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: FAKE_ANSWER.join('') },
      { role: 'user', content: 'b' },
    ])
  })

  it('completes a tool round trip (function_call → function_call_output → answer), stream and not', async () => {
    for (const mode of ['generate', 'stream'] as const) {
      const before = upstreamCalls().length
      const seen: unknown[] = []
      const tools = {
        get_weather: tool({
          description: 'Weather for a city',
          inputSchema: z.object(weather),
          execute: async (input) => {
            seen.push(input)
            return { forecast: '晴' }
          },
        }),
      }
      const options = { model: provider()('agent'), tools, prompt: 'Weather in Beijing?', stopWhen: stepCountIs(3), maxRetries: 0 }
      const text = mode === 'generate' ? (await generateText(options)).text : await streamText(options).text
      expect(seen).toEqual([{ city: '北京' }])
      expect(text).toBe('The tool said: {"forecast":"晴"}')
      const calls = upstreamCalls().slice(before)
      expect(calls).toHaveLength(2)
      const [call] = calls[0]!.body.tools
      expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } })
      expect(calls[1]!.body.messages).toEqual([
        { role: 'user', content: 'Weather in Beijing?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_agent_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }] },
        { role: 'tool', tool_call_id: 'call_agent_1', content: '{"forecast":"晴"}' },
      ])
    }
  })
})

describe('LangChain ChatOpenAI (useResponsesApi)', () => {
  const model = (name: string) =>
    new ChatOpenAI({
      model: name,
      apiKey: 'anonymous',
      configuration: { baseURL: app.baseURL, fetch: recordingFetch(called.langchain) },
      useResponsesApi: true,
      maxRetries: 0,
    })
  const weatherTool = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }

  it('invoke and stream', async () => {
    const reply = await model('fake-model').invoke([new HumanMessage('hi')])
    expect(reply.text).toBe(FAKE_ANSWER.join(''))
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 11, output_tokens: 7, total_tokens: 18 })
    let streamed = ''
    for await (const chunk of await model('fake-model').stream('hi')) streamed += chunk.text
    expect(streamed).toBe(FAKE_ANSWER.join(''))
  })

  it('tool calls and their results', async () => {
    const bound = model('agent').bindTools([weatherTool])
    const question = new HumanMessage('Weather in Beijing?')
    const first = await bound.invoke([question])
    expect(first.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: '北京' } })])
    const callId = first.tool_calls![0]!.id!
    const answer = await bound.invoke([question, first as AIMessage, new ToolMessage({ tool_call_id: callId, content: '晴' })])
    expect(answer.text).toBe('The tool said: 晴')
    expect(lastSent().messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }] },
      { role: 'tool', tool_call_id: callId, content: '晴' },
    ])
  })

  it('streams a tool call, whose chunks add up to the call', async () => {
    const bound = model('agent').bindTools([weatherTool])
    let whole: AIMessageChunk | undefined
    for await (const chunk of await bound.stream([new HumanMessage('Weather in Beijing?')])) whole = whole ? whole.concat(chunk) : chunk
    expect(whole!.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: '北京' }, id: expect.any(String) })])
  })
})

// Last, so that every test above has run: each client spoke only the Responses API.
describe('both clients', () => {
  it('called nothing but POST /v1/responses', () => {
    for (const paths of Object.values(called)) {
      expect(paths.length).toBeGreaterThan(0)
      expect(new Set(paths)).toEqual(new Set(['/v1/responses']))
    }
  })
})
