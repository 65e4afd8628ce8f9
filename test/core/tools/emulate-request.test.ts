// The request as a web adapter sees it under tool emulation.
import { describe, expect, it } from 'vitest'
import { emulateToolsRequest, extractOptionsFor, shouldEmulate } from '../../../src/core/tools/index.js'
import { UpstreamError } from '../../../src/kit/errors.js'
import type { ChatMessage, ChatRequest } from '../../../src/kit/types.js'

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
}
const readTool = { type: 'function', name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } }
const webSearch = { type: 'web_search' }

function request(messages: ChatMessage[], over: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'm',
    requestedModel: 'm',
    flags: new Set(),
    messages,
    stream: true,
    tools: [weatherTool, readTool, webSearch],
    extra: { parallel_tool_calls: true, seed: 7 },
    ...over,
  }
}

const catalogue = [
  '{"name":"get_weather","description":"Current weather for a city.","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}',
  '{"name":"read_file","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}',
].join('\n')

const systemText = (messages: ChatMessage[]) => String(messages.find((m) => m.role === 'system' || m.role === 'developer')?.content)

describe('emulateToolsRequest', () => {
  it('puts the catalogue (minified, $schema dropped, function tools only) and the convention into a new system message', () => {
    const out = emulateToolsRequest(request([{ role: 'user', content: 'Weather in Paris?' }]))
    expect(out.messages).toHaveLength(2)
    expect(out.messages[0]!.role).toBe('system')
    const system = String(out.messages[0]!.content)
    expect(system).toContain(catalogue)
    expect(system).toContain('<tool_call>\n{"name": "tool_name", "arguments": {"parameter": "value"}}\n</tool_call>')
    expect(system).toContain('independent calls may follow one another')
    expect(system).not.toContain('web_search')
    expect(system).not.toContain('$schema')
    expect(out.messages[1]).toEqual({ role: 'user', content: 'Weather in Paris?' })
    expect(out).not.toHaveProperty('tools')
    expect(out).not.toHaveProperty('tool_choice')
    expect(out.extra).toEqual({ seed: 7 })
  })

  it('appends to the first system or developer message instead of adding one', () => {
    const out = emulateToolsRequest(
      request([
        { role: 'developer', content: 'You are Codex.' },
        { role: 'user', content: 'hi' },
        { role: 'system', content: 'Later system note.' },
      ]),
    )
    expect(out.messages.map((m) => m.role)).toEqual(['developer', 'user', 'system'])
    expect(String(out.messages[0]!.content)).toMatch(/^You are Codex\.\n\n# Tools\n/)
    expect(out.messages[2]!.content).toBe('Later system note.')
  })

  it('writes assistant calls as the blocks the model would have written and folds tool results with the next user message', () => {
    const out = emulateToolsRequest(
      request([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: '18°C' },
        { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: '24°C' }] },
        { role: 'user', content: 'And tomorrow?' },
      ]),
    )
    expect(out.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(out.messages[2]).toEqual({
      role: 'assistant',
      content:
        'Checking both.\n<tool_call>\n{"name":"get_weather","arguments":{"city":"Paris"}}\n</tool_call>\n' +
        '<tool_call>\n{"name":"get_weather","arguments":{"city":"Rome"}}\n</tool_call>',
    })
    expect(out.messages[3]).toEqual({
      role: 'user',
      content: 'tool result for get_weather (call_a): 18°C\n\ntool result for get_weather (call_b): 24°C\n\nAnd tomorrow?',
    })
  })

  it('ends with one user message of tool results when no user message follows them; keeps image parts of one that does', () => {
    const calls = [{ id: 'call_x', type: 'function' as const, function: { name: 'read_file', arguments: '{"path":"a"}' } }]
    const alone = emulateToolsRequest(
      request([{ role: 'user', content: 'read a' }, { role: 'assistant', content: null, tool_calls: calls }, { role: 'tool', tool_call_id: 'call_x', content: 'A' }]),
    )
    expect(alone.messages.at(-2)).toEqual({ role: 'assistant', content: '<tool_call>\n{"name":"read_file","arguments":{"path":"a"}}\n</tool_call>' })
    expect(alone.messages.at(-1)).toEqual({ role: 'user', content: 'tool result for read_file (call_x): A' })
    const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,AAAA' } }
    const withImage = emulateToolsRequest(
      request([
        { role: 'user', content: 'read a' },
        { role: 'assistant', content: null, tool_calls: calls },
        { role: 'tool', tool_call_id: 'call_x', content: 'A' },
        { role: 'user', content: [{ type: 'text', text: 'and this?' }, image] },
      ]),
    )
    expect(withImage.messages.at(-1)!.content).toEqual([{ type: 'text', text: 'tool result for read_file (call_x): A' }, { type: 'text', text: 'and this?' }, image])
  })

  it('tool_choice required and a named tool add one reminder to the newest user message only', () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'second' },
    ]
    const required = emulateToolsRequest(request(history, { tool_choice: 'required' }))
    expect(required.messages.slice(1).map((m) => m.content)).toEqual(['first', 'ok', 'second\n\n(Answer with at least one <tool_call> block.)'])
    const named = emulateToolsRequest(request(history, { tool_choice: { type: 'function', function: { name: 'read_file' } } }))
    expect(named.messages.at(-1)!.content).toBe('second\n\n(Answer by calling the tool read_file in a <tool_call> block.)')
    const auto = emulateToolsRequest(request(history, { tool_choice: 'auto' }))
    expect(auto.messages.at(-1)!.content).toBe('second')
    expect(systemText(required.messages)).toBe(systemText(auto.messages)) // the system text never depends on the turn
  })

  it('refuses a named tool that is not offered', () => {
    const run = () => emulateToolsRequest(request([{ role: 'user', content: 'x' }], { tool_choice: { type: 'function', function: { name: 'rm_rf' } } }))
    expect(run).toThrow(UpstreamError)
    expect(run).toThrow(/rm_rf/)
  })

  it('parallel_tool_calls false asks for a single call and the extractor keeps one', () => {
    const req = request([{ role: 'user', content: 'x' }], { extra: { parallel_tool_calls: false } })
    const system = systemText(emulateToolsRequest(req).messages)
    expect(system).toContain('Call at most one tool per answer')
    expect(system).not.toContain('independent calls')
    expect(extractOptionsFor(req)).toEqual({ known: new Set(['get_weather', 'read_file']), maxCalls: 1 })
    expect(extractOptionsFor(request([{ role: 'user', content: 'x' }]))).toEqual({ known: new Set(['get_weather', 'read_file']) })
  })

  it('tool_choice none: earlier tool turns still become text, no catalogue, a do-not-call reminder, no call is read', () => {
    const req = request(
      [
        { role: 'user', content: 'read a' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'A' },
        { role: 'user', content: 'summarise' },
      ],
      { tool_choice: 'none' },
    )
    const out = emulateToolsRequest(req)
    expect(out.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user'])
    expect(out.messages[2]!.content).toBe('tool result for read_file (c1): A\n\nsummarise\n\n(Do not call any tool in this answer.)')
    expect(extractOptionsFor(req).known.size).toBe(0)
  })
})

describe('shouldEmulate', () => {
  const on = { tool_emulation: true }
  const plain = request([{ role: 'user', content: 'x' }])
  it('needs the setting, and tools offered or tool turns in the history', () => {
    expect(shouldEmulate(plain, on)).toBe(true)
    expect(shouldEmulate(plain, { tool_emulation: false })).toBe(false)
    expect(shouldEmulate({ ...plain, tools: undefined }, on)).toBe(false)
    expect(shouldEmulate({ ...plain, tools: [webSearch] }, on)).toBe(false)
    expect(shouldEmulate({ ...plain, tool_choice: 'none' }, on)).toBe(false)
    const toolTurn: ChatMessage = { role: 'tool', tool_call_id: 'c', content: 'r' }
    expect(shouldEmulate({ ...plain, tool_choice: 'none', messages: [toolTurn] }, on)).toBe(true)
    expect(shouldEmulate({ ...plain, tools: undefined, messages: [toolTurn] }, on)).toBe(true)
  })
})
