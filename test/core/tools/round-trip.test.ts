// A tool round trip through a real web adapter and its fake, wired the way the relay will do it:
// the emulated request reaches the upstream with the instructions once; the client's tool results
// continue the same upstream conversation as one newest user message.
import { afterEach, describe, expect, it } from 'vitest'
import { ConversationMemory } from '../../../src/core/conversations.js'
import { Tally } from '../../../src/core/tally.js'
import { emulateToolsRequest, extractOptionsFor, extractToolCalls, shouldEmulate } from '../../../src/core/tools/index.js'
import { openDatabase } from '../../../src/db/client.js'
import type { ChatMessage, ChatRequest, DeltaEvent } from '../../../src/kit/types.js'
import { chatRequest, deepseekSetUp } from '../../fakes/deepseek-web-harness.js'
import type { FakeDeepseek } from '../../fakes/deepseek-web.js'
import { fragmentsStream } from '../../fakes/deepseek-web-streams.js'
import { drain } from '../../helpers/chunks.js'

let fake: FakeDeepseek | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

const tools = [{ type: 'function', function: { name: 'read_file', description: 'Read a file.', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }]

describe('tool round trip through deepseek-web', () => {
  it('calls a tool, then answers from its result in the same upstream conversation', async () => {
    const setUp = await deepseekSetUp()
    fake = setUp.fake
    const { adapter, ctx } = setUp
    const memory = new ConversationMemory(openDatabase(':memory:'))

    /** What the relay does per turn for a provider with tool_emulation on. */
    async function turn(req: ChatRequest): Promise<DeltaEvent[]> {
      expect(shouldEmulate(req, { tool_emulation: true })).toBe(true)
      const known = await memory.lookup('deepseek-web', req.model, req.messages)
      const sent = emulateToolsRequest(known ? { ...req, continueFrom: known } : req)
      const events = await drain(extractToolCalls(adapter.chat(sent, ctx), extractOptionsFor(req)))
      const tally = new Tally()
      for (const e of events) tally.observe(e, 0)
      const conv = tally.conversation!
      await memory.remember('deepseek-web', req.model, 1, req.messages, tally.text, { conversationId: conv.id, parentId: conv.parentId }, tally.calls())
      return events
    }

    const first: ChatMessage[] = [
      { role: 'system', content: 'You are a coding agent.' },
      { role: 'user', content: 'What is in a.txt?' },
    ]
    const answer = 'Let me look.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a.txt"}}\n</tool_call>'
    fake.next.push({ kind: 'sse', body: fragmentsStream({ sessionId: 's', requestMessageId: 1, responseMessageId: 2, reasoning: '', answer, sources: [], modelType: 'default' }).join('') })
    const events = await turn(chatRequest('deepseek-chat', first, [], { tools }))

    const prompt = String(fake.completions[0]!.body.prompt)
    expect(prompt).toContain('You are a coding agent.\n\n# Tools\n')
    expect(prompt).toContain('{"name":"read_file","description":"Read a file.","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}')
    expect(prompt).toContain('What is in a.txt?')
    const call = events.find((e) => e.type === 'tool_call')
    expect(call).toMatchObject({ type: 'tool_call', index: 0, name: 'read_file', args: '{"path":"a.txt"}' })
    expect(events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? e.text : '')).join('')).toBe('Let me look.')
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool_calls' })

    // The client runs the tool and sends everything back, our call id included.
    const id = call?.type === 'tool_call' ? call.id! : ''
    const second: ChatMessage[] = [
      ...first,
      { role: 'assistant', content: 'Let me look.', tool_calls: [{ id, type: 'function', function: { name: 'read_file', arguments: '{"path":"a.txt"}' } }] },
      { role: 'tool', tool_call_id: id, content: 'hello' },
    ]
    const events2 = await turn(chatRequest('deepseek-chat', second, [], { tools }))
    const body = fake.completions[1]!.body
    expect(body.prompt).toBe(`tool result for read_file (${id}): hello`) // the instructions are not sent again
    expect(body.chat_session_id).toBe(fake.completions[0]!.body.chat_session_id)
    expect(body.parent_message_id).toBe(2)
    expect(events2.filter((e) => e.type === 'tool_call')).toEqual([])
    expect(events2.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })
})
