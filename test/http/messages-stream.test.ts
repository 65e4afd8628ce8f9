// The Messages door's renderers: DeltaEvents → Anthropic's event stream, parsed back at every
// byte boundary (by a strict reader and by the SDK's own SSE parser), and the whole message.
import { Stream } from '@anthropic-ai/sdk/core/streaming'
import { describe, expect, it } from 'vitest'
import type { Collected } from '../../src/core/collect.js'
import type { ReasoningMode } from '../../src/core/router.js'
import { messageJson } from '../../src/http/doors/messages/message.js'
import { SYNTHETIC_SIGNATURE } from '../../src/http/doors/messages/reply.js'
import { MessageStreamWriter, errorEvent } from '../../src/http/doors/messages/stream.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { foldMessagesStream, sseEvents } from '../helpers/anthropic-stream.js'
import { everySplit } from '../helpers/chunks.js'

const usage = { promptTokens: 12, completionTokens: 34, estimated: false }

function render(events: DeltaEvent[], reasoning: ReasoningMode = 'field'): string {
  const writer = new MessageStreamWriter({ id: 'msg_test1', model: 'm', reasoning })
  let out = writer.start(12)
  for (const e of events) out += writer.write(e)
  return out + writer.end(usage)
}

/** Folded identically however the bytes are cut. */
function foldEverySplit(text: string) {
  const whole = foldMessagesStream(sseEvents([text]))
  for (const chunks of everySplit(text)) expect(foldMessagesStream(sseEvents(chunks))).toEqual(whole)
  return whole
}

async function sdkEvents(chunks: Uint8Array[]): Promise<any[]> {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk)
      c.close()
    },
  })
  const out: any[] = []
  for await (const e of Stream.fromSSEResponse(new Response(body), new AbortController())) out.push(e)
  return out
}

describe('MessageStreamWriter', () => {
  it('renders reasoning, text and tool calls as blocks a strict reader folds back, at every split', async () => {
    const text = render([
      { type: 'reasoning', text: '先想' },
      { type: 'reasoning', text: '一想。' },
      { type: 'text', text: '你好🌏 ' },
      { type: 'text', text: 'there' },
      { type: 'tool_call', index: 0, id: 'call_abc', name: 'get_weather', args: '' },
      { type: 'tool_call', index: 0, args: '{"city":' },
      { type: 'tool_call', index: 0, args: '"北京"}' },
      { type: 'tool_call', index: 1, id: 'functions.bash:1', name: 'Bash', args: '{}' },
      { type: 'usage', promptTokens: 1, completionTokens: 2 },
      { type: 'finish', reason: 'tool_calls' },
    ])
    const folded = foldEverySplit(text)
    expect(folded.names).toEqual([
      'message_start', 'ping',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_stop',
      'message_delta', 'message_stop',
    ])
    expect(folded.message).toEqual({
      id: 'msg_test1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [
        { type: 'thinking', thinking: '先想一想。', signature: SYNTHETIC_SIGNATURE },
        { type: 'text', text: '你好🌏 there' },
        { type: 'tool_use', id: 'toolu_call_abc', name: 'get_weather', input: { city: '北京' } },
        { type: 'tool_use', id: 'toolu_functions_bash_1', name: 'Bash', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 34, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    })

    // The SDK's own SSE parser agrees, split anywhere (pings are skipped there).
    const bytes = new TextEncoder().encode(text)
    const expected = await sdkEvents([bytes])
    expect(expected.map((e) => e.type)).toEqual(folded.names.filter((n) => n !== 'ping'))
    for (const chunks of everySplit(bytes)) expect(await sdkEvents(chunks)).toEqual(expected)
  })

  it('opens a new block whenever the kind changes, and drops reasoning when the route hides it', () => {
    const events: DeltaEvent[] = [
      { type: 'text', text: 'a' },
      { type: 'reasoning', text: 'r' },
      { type: 'text', text: '' },
      { type: 'text', text: 'b' },
    ]
    expect(foldEverySplit(render(events)).message.content).toEqual([
      { type: 'text', text: 'a' },
      { type: 'thinking', thinking: 'r', signature: SYNTHETIC_SIGNATURE },
      { type: 'text', text: 'b' },
    ])
    expect(foldEverySplit(render(events, 'hide')).message.content).toEqual([{ type: 'text', text: 'ab' }])
  })

  it('maps finish reasons to stop reasons', () => {
    const stop = (events: DeltaEvent[]) => foldMessagesStream(sseEvents([render(events)])).message.stop_reason
    expect(stop([{ type: 'text', text: 'x' }])).toBe('end_turn')
    expect(stop([{ type: 'text', text: 'x' }, { type: 'finish', reason: 'length' }])).toBe('max_tokens')
    expect(stop([{ type: 'text', text: 'x' }, { type: 'finish', reason: 'content_filter' }])).toBe('refusal')
    // An upstream that says `stop` after a tool call still asks the client to run it.
    expect(stop([{ type: 'tool_call', index: 0, id: 'c', name: 't', args: '{}' }, { type: 'finish', reason: 'stop' }])).toBe('tool_use')
    // A tool_calls finish without any call would leave the client waiting for nothing.
    expect(stop([{ type: 'text', text: 'x' }, { type: 'finish', reason: 'tool_calls' }])).toBe('end_turn')
  })

  it('renders an empty answer as a message without blocks', () => {
    const folded = foldEverySplit(render([{ type: 'finish', reason: 'stop' }]))
    expect(folded.message.content).toEqual([])
    expect(folded.message.stop_reason).toBe('end_turn')
  })

  it('ends a broken stream with an error event in Anthropic\'s shape', () => {
    const writer = new MessageStreamWriter({ id: 'msg_x', model: 'm', reasoning: 'field' })
    const text = writer.start(3) + writer.write({ type: 'text', text: 'partial' }) + errorEvent({ type: 'api_error', message: 'upstream dropped' })
    for (const chunks of everySplit(text)) {
      const folded = foldMessagesStream(sseEvents(chunks))
      expect(folded.error).toEqual({ type: 'error', error: { type: 'api_error', message: 'upstream dropped' } })
      expect(folded.message.content).toEqual([{ type: 'text', text: 'partial' }])
    }
  })
})

describe('messageJson', () => {
  const collected = (over: Partial<Collected>): Collected => ({ id: undefined, content: '', reasoning: '', toolCalls: [], finish: undefined, citations: [], ...over })

  it('puts thinking, text and tool calls in blocks, with Anthropic ids and parsed input', () => {
    const json = messageJson(
      collected({
        content: 'hi',
        reasoning: 'hmm',
        toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } }],
        finish: 'tool_calls',
      }),
      { id: 'msg_1', model: 'm', reasoning: 'field', usage },
    )
    expect(json).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: SYNTHETIC_SIGNATURE },
        { type: 'text', text: 'hi' },
        { type: 'tool_use', id: 'toolu_call_1', name: 'Bash', input: { command: 'ls' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 34, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    })
  })

  it('hides reasoning when the route says so, and gives a cut-off tool call empty input', () => {
    const json = messageJson(
      collected({ reasoning: 'secret', toolCalls: [{ id: 'c', type: 'function', function: { name: 't', arguments: '{"a":' } }], finish: 'length' }),
      { id: 'msg_1', model: 'm', reasoning: 'hide', usage },
    )
    expect(json.content).toEqual([{ type: 'tool_use', id: 'toolu_c', name: 't', input: {} }])
    expect(json.stop_reason).toBe('max_tokens')
  })
})
