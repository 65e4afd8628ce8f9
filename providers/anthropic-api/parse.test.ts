import { describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { sse } from '../../test/fakes/anthropic-api.js'
import { byteByByte, drain, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { MessageStreamParser, finishReasonOf, parseMessage, readMessageStream } from './parse.js'

const start = (usage: Record<string, number>) =>
  sse('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage } })
const blockStart = (index: number, content_block: Record<string, unknown>) => sse('content_block_start', { type: 'content_block_start', index, content_block })
const delta = (index: number, d: Record<string, unknown>) => sse('content_block_delta', { type: 'content_block_delta', index, delta: d })
const stop = (index: number) => sse('content_block_stop', { type: 'content_block_stop', index })
const messageDelta = (stop_reason: string, usage: Record<string, number>) => sse('message_delta', { type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage })
const messageStop = sse('message_stop', { type: 'message_stop' })

/** Thinking, then text, then two tool calls: block indexes 0..3, tool indexes 0..1. */
const toolStream = [
  start({ input_tokens: 50, cache_read_input_tokens: 10, cache_creation_input_tokens: 5, output_tokens: 1 }),
  blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
  sse('ping', { type: 'ping' }),
  delta(0, { type: 'thinking_delta', thinking: '先看' }),
  delta(0, { type: 'thinking_delta', thinking: '天气。' }),
  delta(0, { type: 'signature_delta', signature: 'EqQBCkYI' }),
  stop(0),
  blockStart(1, { type: 'text', text: '' }),
  delta(1, { type: 'text_delta', text: '我查一下🌏' }),
  stop(1),
  blockStart(2, { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: {} }),
  delta(2, { type: 'input_json_delta', partial_json: '' }),
  delta(2, { type: 'input_json_delta', partial_json: '{"city": "北' }),
  delta(2, { type: 'input_json_delta', partial_json: '京"}' }),
  stop(2),
  blockStart(3, { type: 'tool_use', id: 'toolu_B', name: 'now', input: {} }),
  stop(3),
  messageDelta('tool_use', { output_tokens: 42 }),
  messageStop,
].join('')

const toolEvents: DeltaEvent[] = [
  { type: 'reasoning', text: '先看' },
  { type: 'reasoning', text: '天气。' },
  { type: 'text', text: '我查一下🌏' },
  { type: 'tool_call', index: 0, id: 'toolu_A', name: 'get_weather', args: '' },
  { type: 'tool_call', index: 0, args: '{"city": "北' },
  { type: 'tool_call', index: 0, args: '京"}' },
  { type: 'tool_call', index: 1, id: 'toolu_B', name: 'now', args: '' },
  // a tool without arguments streams no input: OpenAI clients still get a JSON object
  { type: 'tool_call', index: 1, args: '{}' },
  { type: 'finish', reason: 'tool_calls' },
  { type: 'usage', promptTokens: 65, completionTokens: 42 },
]

/** Fed the way the network may cut it: whole, at every byte boundary, byte by byte. */
async function expectAtEverySplit(body: string, expected: DeltaEvent[] | RegExp) {
  const run = (chunks: Uint8Array[]) => drain(readMessageStream(streamOf(chunks), 'anthropic-api'))
  const cuts = [...everySplit(body), byteByByte(body)]
  for (const chunks of cuts) {
    if (expected instanceof RegExp) await expect(run(chunks)).rejects.toThrow(expected)
    else expect(await run(chunks)).toEqual(expected)
  }
}

describe('anthropic-api stream parsing', () => {
  it('maps thinking, text and tool_use blocks with usage and finish, at every byte split', async () => {
    await expectAtEverySplit(toolStream, toolEvents)
  })

  it('a plain text stream with CRLF framing and message_delta repeating the input counts', async () => {
    const body = [
      start({ input_tokens: 9, output_tokens: 1 }),
      blockStart(0, { type: 'text', text: '' }),
      delta(0, { type: 'text_delta', text: '你好，' }),
      delta(0, { type: 'text_delta', text: '世界' }),
      stop(0),
      messageDelta('max_tokens', { input_tokens: 12, cache_read_input_tokens: 3, output_tokens: 2 }),
      messageStop,
    ].join('').replaceAll('\n', '\r\n')
    await expectAtEverySplit(body, [
      { type: 'text', text: '你好，' },
      { type: 'text', text: '世界' },
      { type: 'finish', reason: 'length' },
      { type: 'usage', promptTokens: 15, completionTokens: 2 },
    ])
  })

  it('an error event mid-stream becomes the typed error its type names, after the text before it', async () => {
    const body = [start({ input_tokens: 9, output_tokens: 1 }), blockStart(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: '半' }), sse('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })].join('')
    const parser = new MessageStreamParser('anthropic-api')
    const seen: DeltaEvent[] = []
    const push = (data: string) => seen.push(...parser.push(data))
    const datas = body.split('\n\n').filter(Boolean).map((e) => e.split('data: ')[1]!)
    for (const d of datas.slice(0, -1)) push(d)
    expect(seen).toEqual([{ type: 'text', text: '半' }])
    expect(() => push(datas.at(-1)!)).toThrow(expect.objectContaining({ kind: 'unavailable', message: expect.stringContaining('Overloaded') }))
    await expectAtEverySplit(body, /Overloaded/)
  })

  it('a stream cut off before message_delta/message_stop is an upstream failure, not a silent end', async () => {
    const body = [start({ input_tokens: 9, output_tokens: 1 }), blockStart(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'x' })].join('')
    await expectAtEverySplit(body, /before message_stop/)
  })

  it('ignores pings, redacted thinking, signature and citation deltas and unknown event types; refuses malformed JSON', async () => {
    const parser = new MessageStreamParser('anthropic-api')
    expect(parser.push('{"type":"ping"}')).toEqual([])
    expect(parser.push('{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"abc"}}')).toEqual([])
    expect(parser.push('{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}')).toEqual([])
    expect(parser.push('{"type":"something_new"}')).toEqual([])
    expect(parser.push('')).toEqual([])
    expect(() => parser.push('{"type":"content_block_delta"')).toThrow(expect.objectContaining({ kind: 'protocol' }))
  })

  it('text or thinking carried in content_block_start is not lost', () => {
    const parser = new MessageStreamParser('p')
    expect(parser.push(JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'pre' } }))).toEqual([{ type: 'text', text: 'pre' }])
    expect(parser.push(JSON.stringify({ type: 'content_block_start', index: 1, content_block: { type: 'thinking', thinking: 'hm' } }))).toEqual([{ type: 'reasoning', text: 'hm' }])
    // a compatible endpoint that sends the whole tool input in the start event
    parser.push(JSON.stringify({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 't', name: 'f', input: { a: 1 } } }))
    expect(parser.push(JSON.stringify({ type: 'content_block_stop', index: 2 }))).toEqual([{ type: 'tool_call', index: 0, args: '{"a":1}' }])
  })
})

describe('anthropic-api stop reasons and whole messages', () => {
  it('maps every stop_reason', () => {
    expect(['end_turn', 'stop_sequence', 'pause_turn', 'max_tokens', 'tool_use', 'refusal', 'model_context_window_exceeded', 'something_new'].map(finishReasonOf)).toEqual([
      'stop', 'stop', 'stop', 'length', 'tool_calls', 'content_filter', 'length', 'stop',
    ])
    expect(finishReasonOf(null)).toBeUndefined()
  })

  it('turns a message object into the same events a stream gives', () => {
    const events = parseMessage({
      id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: '先看天气。', signature: 'sig' },
        { type: 'redacted_thinking', data: 'xyz' },
        { type: 'text', text: '我查一下🌏' },
        { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: { city: '北京' } },
        { type: 'tool_use', id: 'toolu_B', name: 'now', input: {} },
      ],
      stop_reason: 'tool_use', stop_sequence: null,
      usage: { input_tokens: 50, cache_read_input_tokens: 10, cache_creation_input_tokens: 5, output_tokens: 42 },
    }, 'anthropic-api')
    expect(events).toEqual([
      { type: 'reasoning', text: '先看天气。' },
      { type: 'text', text: '我查一下🌏' },
      { type: 'tool_call', index: 0, id: 'toolu_A', name: 'get_weather', args: '{"city":"北京"}' },
      { type: 'tool_call', index: 1, id: 'toolu_B', name: 'now', args: '{}' },
      { type: 'usage', promptTokens: 65, completionTokens: 42 },
      { type: 'finish', reason: 'tool_calls' },
    ])
  })

  it('an error object or a body without content is refused with the right class', () => {
    expect(() => parseMessage({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }, 'p')).toThrow(expect.objectContaining({ kind: 'rate_limited' }))
    expect(() => parseMessage({ type: 'message' }, 'p')).toThrow(expect.objectContaining({ kind: 'protocol' }))
    expect(() => parseMessage(undefined, 'p')).toThrow(expect.objectContaining({ kind: 'protocol' }))
  })
})
