// Parity of the three chat doors: the same upstream answer (reasoning, text, parallel tool calls,
// usage, a cut-off answer, an upstream error before and after the first byte) rendered through
// chat completions, Responses and Messages, stream and non-stream, must say the same thing in each
// wire format. Every stream is also read back split at every byte boundary and must parse the same.
// The upstream is an in-process provider on purpose: each door must see identical events, whether
// the client streams or not, and the upstream's own wire is tested with its fake elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { providers } from '../../providers/index.js'
import { invalidRequest, upstreamUnavailable } from '../../src/kit/errors.js'
import { SseDecoder, type SseEvent } from '../../src/kit/sse.js'
import type { ChatRequest, DeltaEvent } from '../../src/kit/types.js'
import { defineProvider } from '../../src/kit/types.js'
import { foldMessagesStream } from '../helpers/anthropic-stream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { byteByByte, everySplit } from '../helpers/chunks.js'
import { type Door, type Said, readChat, readChatStream, readMessage, readMessagesStream, readResponse, readResponsesStream } from '../helpers/door-readers.js'

const REASONING = '先想一想：天气和时间。'
const TEXT = '好的，我来查 🌏 '
const USAGE: DeltaEvent = { type: 'usage', promptTokens: 12, completionTokens: 9, reasoningTokens: 3 }
const CALLS = [
  { id: 'call_w1', name: 'get_weather', args: { city: '北京' } },
  { id: 'call_t2', name: 'get_time', args: { tz: 'Asia/Shanghai' } },
]

/** What each model answers, as events (the second call's arguments come in two pieces). */
const SCRIPTS: Record<string, DeltaEvent[]> = {
  tools: [
    { type: 'reasoning', text: REASONING.slice(0, 4) },
    { type: 'reasoning', text: REASONING.slice(4) },
    { type: 'text', text: TEXT },
    { type: 'tool_call', index: 0, id: 'call_w1', name: 'get_weather', args: JSON.stringify(CALLS[0]!.args) },
    { type: 'tool_call', index: 1, id: 'call_t2', name: 'get_time', args: '{"tz":' },
    { type: 'tool_call', index: 1, args: '"Asia/Shanghai"}' },
    USAGE,
    { type: 'finish', reason: 'tool_calls' },
  ],
  text: [{ type: 'reasoning', text: REASONING }, { type: 'text', text: 'Hello ' }, { type: 'text', text: 'there.' }, USAGE, { type: 'finish', reason: 'stop' }],
  cut: [{ type: 'text', text: 'An answer that hits the lim' }, USAGE, { type: 'finish', reason: 'length' }],
}
const REFUSAL = 'parity: the upstream refused the request'
const DROPPED = 'parity: the upstream dropped the stream'

const scripted = defineProvider<Record<string, unknown>>({
  id: 'parity',
  defaultBaseUrl: 'http://127.0.0.1:9',
  create: (name) => ({
    id: name,
    credentialKind: 'token' as const,
    models: [...Object.keys(SCRIPTS), 'refused', 'dropped'].map((id) => ({ id })),
    async *chat(req: ChatRequest): AsyncGenerator<DeltaEvent> {
      if (req.model === 'refused') throw invalidRequest(REFUSAL, { provider: name })
      if (req.model === 'dropped') {
        yield { type: 'text', text: 'partial ' }
        throw upstreamUnavailable(DROPPED, { provider: name })
      }
      yield* SCRIPTS[req.model]!
    },
  }),
})

let app: TestApp

beforeAll(async () => {
  app = await startTestApp({ definitions: [...providers, scripted], config: { providers: { parity: { credentials: ['acct-1'] } } } })
})
afterAll(async () => {
  await app.close()
})

const TOOL_SCHEMAS = [
  { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  { name: 'get_time', description: 'Time in a zone', parameters: { type: 'object', properties: { tz: { type: 'string' } } } },
]
const ASK = '北京的天气和时间？'

/** The request each door takes for the same question and tools. */
function requestFor(door: Door, model: string, stream: boolean): { path: string; body: Record<string, unknown> } {
  if (door === 'chat') {
    const tools = TOOL_SCHEMAS.map((t) => ({ type: 'function', function: t }))
    const options = stream ? { stream_options: { include_usage: true } } : {}
    return { path: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: ASK }], tools, stream, ...options } }
  }
  if (door === 'responses') {
    const tools = TOOL_SCHEMAS.map((t) => ({ type: 'function', ...t }))
    return { path: '/v1/responses', body: { model, input: ASK, tools, stream, store: false } }
  }
  const tools = TOOL_SCHEMAS.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters }))
  return { path: '/v1/messages', body: { model, max_tokens: 1024, messages: [{ role: 'user', content: ASK }], tools, stream } }
}

async function send(door: Door, model: string, stream: boolean): Promise<{ status: number; text: string }> {
  const { path, body } = requestFor(door, model, stream)
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, text: await res.text() }
}

const decode = (chunks: readonly (Uint8Array | string)[]) => {
  const decoder = new SseDecoder()
  return JSON.stringify([...chunks.flatMap((c) => decoder.push(c)), ...decoder.end()])
}

/**
 * The SSE events of a stream, checked to come out the same however its bytes are cut: one byte
 * per chunk, and every two-way split of each event (a cut outside an event leaves that event
 * whole; going event by event keeps this linear in the stream's length, not quadratic).
 */
function eventsUnderEverySplit(text: string): SseEvent[] {
  const whole = decode([text])
  expect(decode(byteByByte(text))).toBe(whole)
  for (const block of text.split(/(?<=\n\n)/)) {
    const expected = decode([block])
    for (const chunks of everySplit(block)) {
      const seen = decode(chunks)
      if (seen !== expected) expect(seen).toBe(expected)
    }
  }
  return JSON.parse(whole) as SseEvent[]
}

/** One door's answer, stream or whole, read into the door-neutral shape. */
async function said(door: Door, model: string, stream: boolean): Promise<Said> {
  const { status, text } = await send(door, model, stream)
  expect(status, text).toBe(200)
  if (!stream) return { chat: readChat, responses: readResponse, messages: readMessage }[door](JSON.parse(text))
  const events = eventsUnderEverySplit(text)
  if (door === 'chat') return readChatStream(events)
  if (door === 'responses') return readResponsesStream(events)
  return readMessagesStream(foldMessagesStream(events))
}

const DOORS: Door[] = ['chat', 'responses', 'messages']
const MODES = [false, true]
const usage = { input: 12, output: 9 }

describe('the same answer through every door', () => {
  it.each(MODES)('reasoning, text and two parallel tool calls (stream: %s)', async (stream) => {
    for (const door of DOORS) {
      expect(await said(door, 'tools', stream), door).toEqual({ text: TEXT, reasoning: REASONING, calls: CALLS, finish: 'tool_calls', usage, error: undefined })
    }
  })

  it.each(MODES)('reasoning and text (stream: %s)', async (stream) => {
    for (const door of DOORS) {
      expect(await said(door, 'text', stream), door).toEqual({ text: 'Hello there.', reasoning: REASONING, calls: [], finish: 'stop', usage, error: undefined })
    }
  })

  it.each(MODES)('an answer cut off at the token limit (stream: %s)', async (stream) => {
    for (const door of DOORS) {
      expect(await said(door, 'cut', stream), door).toEqual({ text: 'An answer that hits the lim', reasoning: '', calls: [], finish: 'length', usage, error: undefined })
    }
  })

  it.each(MODES)('an upstream error before the first byte: the same status, each door its error shape (stream: %s)', async (stream) => {
    const bodies = await Promise.all(DOORS.map((door) => send(door, 'refused', stream)))
    for (const { status } of bodies) expect(status).toBe(400)
    const [chat, responses, messages] = bodies.map((b) => JSON.parse(b.text))
    const openai = { type: 'invalid_request_error', code: 'invalid_request', message: expect.stringContaining(REFUSAL) }
    expect(chat.error).toMatchObject(openai)
    expect(responses.error).toMatchObject(openai)
    expect(messages).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: chat.error.message } })
  })

  it('an upstream error after the first byte: each stream ends in its error event, with what came before', async () => {
    const codes: Record<Door, string> = { chat: 'upstream_error', responses: 'upstream_error', messages: 'api_error' }
    const messages = new Set<string>()
    for (const door of DOORS) {
      const got = await said(door, 'dropped', true)
      expect(got, door).toMatchObject({ text: 'partial ', calls: [], error: { code: codes[door], message: expect.stringContaining(DROPPED) } })
      messages.add(got.error!.message)
    }
    expect(messages.size).toBe(1)
  })

  it('an upstream error after the first byte, not streaming: the same status from every door', async () => {
    const bodies = await Promise.all(DOORS.map((door) => send(door, 'dropped', false)))
    for (const { status } of bodies) expect(status).toBe(502)
    const [chat, responses, messages] = bodies.map((b) => JSON.parse(b.text))
    expect(chat.error).toMatchObject({ type: 'api_error', code: 'upstream_error', message: expect.stringContaining(DROPPED) })
    expect(responses.error).toEqual(chat.error)
    expect(messages).toEqual({ type: 'error', error: { type: 'api_error', message: chat.error.message } })
  })
})
