// Responses request → chat request: input items, tools, tool_choice, text.format, validation.
import { describe, expect, it } from 'vitest'
import { checkToolTurns, mapInput } from '../../src/http/doors/responses/input.js'
import { chatToolChoice, chatTools, responseFormat } from '../../src/http/doors/responses/tools.js'
import { parseResponsesBody } from '../../src/http/doors/responses/validate.js'
import { ApiError } from '../../src/http/errors.js'

const none = () => undefined
const map = (input: unknown[]) => mapInput(input, none, 'T')

function refusal(fn: () => unknown): ApiError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ApiError) return err
    throw err
  }
  throw new Error('expected a refusal')
}

describe('input items', () => {
  it('takes a string as one user message', () => {
    expect(mapInput('hi', none, 'T')).toEqual({
      messages: [{ role: 'user', content: 'hi' }],
      items: [{ type: 'message', id: 'msg_T_in0', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
    })
  })

  it('maps message roles and parts the way Codex and the SDKs send them', () => {
    const { messages, items } = map([
      { type: 'message', id: 'msg_dev', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
      { role: 'system', content: 'Be brief.' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBO', detail: 'low' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'A cat.' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'and?' }, { type: 'some_future_part' }] },
    ])
    expect(messages).toEqual([
      { role: 'system', content: 'You are Codex.' },
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO', detail: 'low' } }] },
      { role: 'assistant', content: 'A cat.' },
      { role: 'user', content: 'and?' },
    ])
    expect(items.map((i) => i.id)).toEqual(['msg_dev', 'msg_T_in1', 'msg_T_in2', 'msg_T_in3', 'msg_T_in4'])
    expect(items[1]).toEqual({ type: 'message', id: 'msg_T_in1', role: 'system', content: [{ type: 'input_text', text: 'Be brief.' }] })
  })

  it('turns function_call items into the assistant turn and outputs into tool messages; skips reasoning and unknown items', () => {
    const { messages } = map([
      { type: 'message', role: 'user', content: 'run it' },
      { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'opaque' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running.' }] },
      { type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'exec_command', arguments: '{"cmd":"ls"}', status: 'completed' },
      { type: 'function_call', call_id: 'c2', name: 'close_agent', namespace: 'multi_agent_v1', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'a.txt' },
      { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'closed' }, { type: 'input_image', image_url: 'x' }] },
      { type: 'custom_tool_call', call_id: 'c3', name: 'apply_patch', input: '...' },
      { type: 'web_search_call', id: 'ws_1', status: 'completed' },
    ])
    expect(messages).toEqual([
      { role: 'user', content: 'run it' },
      {
        role: 'assistant',
        content: 'Running.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls"}' } },
          { id: 'c2', type: 'function', function: { name: 'close_agent', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'a.txt' },
      { role: 'tool', tool_call_id: 'c2', content: 'closed' },
    ])
    expect(() => checkToolTurns(messages)).not.toThrow()
  })

  it('resolves item_reference from the store and refuses unknown ones with 404', () => {
    const stored = { type: 'message', id: 'msg_S_0', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'earlier' }] }
    const lookup = (id: string) => (id === 'msg_S_0' ? stored : undefined)
    const mapped = mapInput([{ type: 'item_reference', id: 'msg_S_0' }, { role: 'user', content: 'next' }], lookup, 'T')
    expect(mapped.messages).toEqual([
      { role: 'assistant', content: 'earlier' },
      { role: 'user', content: 'next' },
    ])
    expect(mapped.items[0]).toBe(stored)
    const err = refusal(() => mapInput([{ type: 'item_reference', id: 'msg_gone' }], lookup, 'T'))
    expect(err.status).toBe(404)
    expect(err.param).toBe('input.0.id')
  })

  it('refuses what would fail only upstream, naming the field', () => {
    const cases: [unknown[], string, string][] = [
      [[{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }], 'input.0.content.0.file_id', 'not_supported'],
      [[{ role: 'user', content: [{ type: 'input_image' }] }], 'input.0.content.0.image_url', 'invalid_value'],
      [[{ role: 'user', content: [{ type: 'input_text' }] }], 'input.0.content.0.text', 'invalid_value'],
      [[{ role: 'tool', content: 'x' }], 'input.0.role', 'invalid_value'],
      [[{ type: 'function_call', name: 'f', arguments: '{}' }], 'input.0.call_id', 'invalid_value'],
      [[{ type: 'function_call_output', output: 'x' }], 'input.0.call_id', 'invalid_value'],
      [['text'], 'input.0', 'invalid_value'],
      [[{ content: 'no type or role' }], 'input.0.type', 'invalid_value'],
    ]
    for (const [input, param, code] of cases) {
      const err = refusal(() => map(input))
      expect([err.status, err.param, err.code]).toEqual([400, param, code])
    }
  })

  it('refuses tool outputs without their call and calls left without output', () => {
    const orphan = map([{ role: 'user', content: 'x' }, { type: 'function_call_output', call_id: 'c9', output: 'y' }]).messages
    expect(refusal(() => checkToolTurns(orphan)).message).toContain('"c9" has no function_call')
    const unanswered = map([{ type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' }, { role: 'user', content: 'go on' }]).messages
    expect(refusal(() => checkToolTurns(unanswered)).message).toContain('no function_call_output for call_id "c1"')
  })
})

describe('tools', () => {
  it('keeps function tools, flattens namespaces and drops hosted and custom tools', () => {
    const { tools, namespaces } = chatTools([
      { type: 'function', name: 'exec_command', description: 'Run', strict: false, parameters: { type: 'object' } },
      { type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function', name: 'spawn_agent', parameters: null }, { type: 'function', name: 'exec_command' }] },
      { type: 'web_search', external_web_access: false },
      { type: 'custom', name: 'apply_patch', format: { type: 'grammar' } },
      { type: 'tool_search' },
      { type: 'mcp', server_label: 'x' },
    ])
    expect(tools).toEqual([
      { type: 'function', function: { name: 'exec_command', description: 'Run', parameters: { type: 'object' }, strict: false } },
      { type: 'function', function: { name: 'spawn_agent' } },
    ])
    expect([...namespaces]).toEqual([['spawn_agent', 'multi_agent_v1']])
    expect(refusal(() => chatTools([{ type: 'function' }])).param).toBe('tools.0.name')
  })

  it('maps tool_choice, and leaves it out when no tool reaches the upstream', () => {
    const { tools } = chatTools([{ type: 'function', name: 'f' }])
    expect(chatToolChoice('required', tools)).toBe('required')
    expect(chatToolChoice({ type: 'function', name: 'f' }, tools)).toEqual({ type: 'function', function: { name: 'f' } })
    expect(chatToolChoice({ type: 'allowed_tools', mode: 'required', tools: [] }, tools)).toBe('required')
    expect(chatToolChoice({ type: 'web_search' }, tools)).toBeUndefined()
    expect(chatToolChoice('required', [])).toBeUndefined()
    expect(refusal(() => chatToolChoice({ type: 'function', name: 'g' }, tools)).param).toBe('tool_choice.name')
  })

  it('maps text.format to response_format', () => {
    expect(responseFormat({ type: 'text' })).toBeUndefined()
    expect(responseFormat({ type: 'json_object' })).toEqual({ type: 'json_object' })
    expect(responseFormat({ type: 'json_schema', name: 'city', schema: { type: 'object' }, strict: true })).toEqual({
      type: 'json_schema',
      json_schema: { name: 'city', schema: { type: 'object' }, strict: true },
    })
    expect(refusal(() => responseFormat({ type: 'json_schema', name: 'x' })).param).toBe('text.format.schema')
    expect(refusal(() => responseFormat({ type: 'yaml' })).param).toBe('text.format.type')
  })
})

describe('request body', () => {
  it('accepts what Codex sends, refuses background and conversation, bounds nesting', () => {
    const codex = {
      model: 'm',
      stream: true,
      input: [],
      tools: [],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning: { summary: 'auto' },
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'k',
      client_metadata: { session_id: 's' },
    }
    expect(parseResponsesBody(codex).client_metadata).toEqual({ session_id: 's' })
    expect(refusal(() => parseResponsesBody({ ...codex, model: undefined })).param).toBe('model')
    expect(refusal(() => parseResponsesBody({ model: 'm' })).code).toBe('missing_required_parameter')
    expect(refusal(() => parseResponsesBody({ ...codex, background: true })).code).toBe('not_supported')
    expect(refusal(() => parseResponsesBody({ ...codex, conversation: 'conv_1' })).code).toBe('not_supported')
    expect(refusal(() => parseResponsesBody({ ...codex, max_output_tokens: 0 }))).toMatchObject({ param: 'max_output_tokens', code: 'invalid_value' })
    expect(refusal(() => parseResponsesBody({ ...codex, input: 5 })).message).toBe('input: expected a string or an array of input items')
    let deep: unknown = 'x'
    for (let i = 0; i < 5000; i++) deep = [deep]
    expect(refusal(() => parseResponsesBody({ ...codex, input: [deep] })).message).toMatch(/nested deeper than 64/)
  })
})
