// Multi-turn under emulation: the history a client resends after an emulated tool call (an
// assistant message with tool_calls, then tool results) must find the upstream conversation the
// relay remembered from that turn's events.
import { describe, expect, it } from 'vitest'
import { ConversationMemory, historyHash } from '../../../src/core/conversations.js'
import { Tally } from '../../../src/core/tally.js'
import { extractOptionsFor, extractToolCalls } from '../../../src/core/tools/index.js'
import { openDatabase } from '../../../src/db/client.js'
import type { ChatMessage, ChatRequest, DeltaEvent, ToolCall } from '../../../src/kit/types.js'
import { drain } from '../../helpers/chunks.js'
import { replay } from './cuts.js'

const call = (id: string, name: string, args: string): ToolCall => ({ id, type: 'function', function: { name, arguments: args } })

describe('historyHash', () => {
  const before: ChatMessage[] = [{ role: 'user', content: 'q' }]
  const withCalls = (calls: ToolCall[], content: string | null = null): ChatMessage[] => [...before, { role: 'assistant', content, tool_calls: calls }]
  const hash = (m: ChatMessage[]) => historyHash('m', m)

  it('counts tool calls by name and arguments only: ids, spacing and key order do not matter', async () => {
    const ours = hash(withCalls([call('call_1', 'f', '{"a":1,"b":{"c":[1,2],"d":"x"}}')]))
    expect(hash(withCalls([call('toolu_9', 'f', ' { "b": {"d": "x", "c": [1, 2]}, "a": 1 } ')]))).toBe(ours)
    expect(hash(withCalls([call('call_1', 'f', '{"a":1,"b":{"c":[1,2],"d":"x"}}')], ''))).toBe(ours) // null and '' content alike
    expect(hash(withCalls([call('call_1', 'g', '{"a":1,"b":{"c":[1,2],"d":"x"}}')]))).not.toBe(ours)
    expect(hash(withCalls([call('call_1', 'f', '{"a":2,"b":{"c":[1,2],"d":"x"}}')]))).not.toBe(ours)
    expect(hash(withCalls([call('call_1', 'f', '{"a":1,"b":{"c":[2,1],"d":"x"}}')]))).not.toBe(ours)
    expect(hash(withCalls([]))).toBe(hash([...before, { role: 'assistant', content: null }]))
  })

  it('keeps the order of the calls', async () => {
    const [a, b] = [call('1', 'f', '{}'), call('2', 'g', '{}')]
    expect(hash(withCalls([a, b]))).not.toBe(hash(withCalls([b, a])))
  })

  it('hashes arguments that are not JSON as they are', async () => {
    expect(hash(withCalls([call('1', 'f', 'not json')]))).toBe(hash(withCalls([call('2', 'f', ' not json ')])))
    expect(hash(withCalls([call('1', 'f', 'not json')]))).not.toBe(hash(withCalls([call('1', 'f', 'not jsan')])))
  })
})

describe('tally', () => {
  it('keeps each call by index, joining the argument fragments of streamed native calls', async () => {
    const tally = new Tally()
    tally.observe({ type: 'tool_call', index: 0, id: 'a', name: 'f', args: '{"x":' }, 0)
    tally.observe({ type: 'tool_call', index: 1, id: 'b', name: 'g', args: '{}' }, 0)
    tally.observe({ type: 'tool_call', index: 0, args: '1}' }, 0)
    expect(tally.calls()).toEqual([
      { name: 'f', args: '{"x":1}' },
      { name: 'g', args: '{}' },
    ])
  })
})

describe('conversation memory after an emulated tool call', () => {
  const tools = [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object' } } }]
  const first: ChatMessage[] = [
    { role: 'system', content: 'You are a coding agent.' },
    { role: 'user', content: 'What is in a.txt?' },
  ]
  const request = (messages: ChatMessage[]): ChatRequest => ({ model: 'm', requestedModel: 'm', flags: new Set(), messages, stream: true, tools, extra: {} })

  /** One emulated turn: the upstream's answer through the extractor and the tally, then remembered as the relay does. */
  async function emulatedTurn(memory: ConversationMemory, messages: ChatMessage[], upstream: DeltaEvent[]) {
    const tally = new Tally()
    const events = await drain(extractToolCalls(replay(upstream), extractOptionsFor(request(messages))))
    for (const e of events) tally.observe(e, 0)
    const conv = tally.conversation!
    await memory.remember('deepseek-web', 'm', 1, messages, tally.text, { conversationId: conv.id, parentId: conv.parentId }, tally.calls())
    return events
  }

  it('finds the conversation for the tool results the client sends back, and again for the turn after', async () => {
    const memory = new ConversationMemory(openDatabase(':memory:'))
    const events = await emulatedTurn(memory, first, [
      { type: 'conversation', id: 'conv-1', parentId: '2' },
      { type: 'text', text: 'Let me look.\n<tool_call>\n{"name": "read_file", ' },
      { type: 'text', text: '"arguments": {"path": "a.txt", "encoding": "utf8"}}\n</tool_call>' },
      { type: 'finish', reason: 'stop' },
    ])
    const emitted = events.find((e) => e.type === 'tool_call')!
    expect(emitted).toMatchObject({ name: 'read_file', args: '{"path":"a.txt","encoding":"utf8"}' })
    if (emitted.type !== 'tool_call') throw new Error('no call')

    // The OpenAI door gets the call back as it was sent; an Anthropic client re-serialises the input.
    const assistantAsSent: ChatMessage = { role: 'assistant', content: 'Let me look.', tool_calls: [call(emitted.id!, 'read_file', emitted.args)] }
    const assistantReserialised: ChatMessage = {
      role: 'assistant',
      content: 'Let me look.',
      tool_calls: [call('toolu_01', 'read_file', JSON.stringify({ encoding: 'utf8', path: 'a.txt' }, null, 1))],
    }
    const results: ChatMessage[] = [{ role: 'tool', tool_call_id: emitted.id!, content: 'hello' }]
    for (const assistant of [assistantAsSent, assistantReserialised]) {
      expect(await memory.lookup('deepseek-web', 'm', [...first, assistant, ...results])).toEqual({ credentialId: 1, conversationId: 'conv-1', parentId: '2' })
      expect((await memory.lookup('deepseek-web', 'm', [...first, assistant, ...results, { role: 'user', content: 'and b?' }]))?.conversationId).toBe('conv-1')
    }
    const otherArgs: ChatMessage = { ...assistantAsSent, tool_calls: [call(emitted.id!, 'read_file', '{"path":"b.txt"}')] }
    expect(await memory.lookup('deepseek-web', 'm', [...first, otherArgs, ...results])).toBeUndefined()

    // The answer to the tool results is plain text; the next user turn continues the same conversation.
    const second = [...first, assistantAsSent, ...results]
    await emulatedTurn(memory, second, [
      { type: 'conversation', id: 'conv-1', parentId: '4' },
      { type: 'text', text: 'It says hello.' },
    ])
    const third = [...second, { role: 'assistant' as const, content: 'It says hello.' }, { role: 'user' as const, content: 'Thanks' }]
    expect(await memory.lookup('deepseek-web', 'm', third)).toEqual({ credentialId: 1, conversationId: 'conv-1', parentId: '4' })
  })

  it('still needs a new turn at the end: a history ending with an assistant message continues nothing', async () => {
    const memory = new ConversationMemory(openDatabase(':memory:'))
    await memory.remember('deepseek-web', 'm', 1, first, 'answer', { conversationId: 'c' })
    expect(await memory.lookup('deepseek-web', 'm', [...first, { role: 'assistant', content: 'answer' }])).toBeUndefined()
    expect((await memory.lookup('deepseek-web', 'm', [...first, { role: 'assistant', content: 'answer' }, { role: 'user', content: 'next' }]))?.conversationId).toBe('c')
    expect(await memory.lookup('deepseek-web', 'm', [{ role: 'tool', tool_call_id: 'x', content: 'r' }])).toBeUndefined()
  })
})
