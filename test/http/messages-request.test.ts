// The Messages door's request mapping: Anthropic's body → the provider-neutral chat request.
import { describe, expect, it } from 'vitest'
import { parseCountBody, parseMessagesBody } from '../../src/http/doors/messages/body.js'
import { toBaseRequest, toPrompt } from '../../src/http/doors/messages/request.js'
import { callIdOf, toolUseIdOf } from '../../src/http/doors/messages/tool-ids.js'
import { ApiError } from '../../src/http/errors.js'

const base = { model: 'm', max_tokens: 100 }
const map = (body: Record<string, unknown>) => toBaseRequest(parseMessagesBody({ ...base, ...body }))

function refusal(fn: () => unknown): ApiError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(400)
    return err as ApiError
  }
  throw new Error('expected a 400')
}

describe('messages', () => {
  it('maps system prompts, text blocks and system entries in place; cache_control is dropped', () => {
    const req = map({
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2' },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: '<system-reminder>r</system-reminder>' }, { type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] },
        { role: 'system', content: 'agents: none' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'again' },
      ],
    })
    expect(req.messages).toEqual([
      { role: 'system', content: 'x-anthropic-billing-header: cc_version=2\nYou are Claude Code.' },
      { role: 'user', content: '<system-reminder>r</system-reminder>\nhi' },
      { role: 'system', content: 'agents: none' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'again' },
    ])
    expect(JSON.stringify(req)).not.toContain('cache_control')
  })

  it('turns images into image_url parts with data: URLs, and text documents into text', () => {
    const req = map({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
            { type: 'document', title: 'Notes', source: { type: 'text', media_type: 'text/plain', data: 'line one' } },
            { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'part a' }, { type: 'text', text: 'part b' }] } },
            { type: 'text', text: 'what is this?' },
          ],
        },
      ],
    })
    expect(req.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
          { type: 'text', text: 'Notes\n\nline one' },
          { type: 'text', text: 'part a\npart b' },
          { type: 'text', text: 'what is this?' },
        ],
      },
    ])
  })

  it('maps a tool round trip: tool_use → tool_calls, tool_result → tool messages first, errors said in words', () => {
    const req = map({
      messages: [
        { role: 'user', content: 'list files' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'I should run ls', signature: 'sig' },
            { type: 'redacted_thinking', data: 'xx' },
            { type: 'text', text: 'Running it.' },
            { type: 'tool_use', id: 'toolu_call_1', name: 'Bash', input: { command: 'ls' } },
            { type: 'tool_use', id: 'toolu_01Real', name: 'Read', input: { path: 'a' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'also this' },
            { type: 'tool_result', tool_use_id: 'toolu_call_1', content: 'a.txt', cache_control: { type: 'ephemeral' } },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_01Real',
              is_error: true,
              content: [
                { type: 'text', text: 'permission denied' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
              ],
            },
          ],
        },
      ],
    })
    expect(req.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Running it.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } },
          { id: '01Real', type: 'function', function: { name: 'Read', arguments: '{"path":"a"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'a.txt' },
      { role: 'tool', tool_call_id: '01Real', content: 'The tool call failed with this error:\npermission denied' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'also this' },
          { type: 'text', text: 'Images returned by tool call toolu_01Real:' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
    ])
  })

  it('a user turn of tool results alone becomes tool messages only; an assistant turn of calls has null content', () => {
    const req = map({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_a', name: 't', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_a' }] },
      ],
    })
    expect(req.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 't', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'a', content: '' },
    ])
  })

  it('refuses what an upstream could only fail on, naming the block', () => {
    const doc = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } }
    expect(refusal(() => map({ messages: [{ role: 'user', content: [doc] }] })).message).toBe(
      'messages.0.content.0.source.type: document sources of type base64 are not supported; send the document as a text source',
    )
    expect(refusal(() => map({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] })).param).toBe(
      'messages.0.content.0.source.type',
    )
    expect(refusal(() => map({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png' } }] }] })).param).toBe(
      'messages.0.content.0.source',
    )
    expect(refusal(() => map({ messages: [{ role: 'user', content: [{ type: 'text' }] }] })).param).toBe('messages.0.content.0.text')
    const strange = { type: 'document', source: { type: 'content', content: 7 } }
    expect(refusal(() => map({ messages: [{ role: 'user', content: [strange] }] })).param).toBe('messages.0.content.0.source.content')
    expect(refusal(() => map({ messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] })).message).toContain('content blocks of type video')
    expect(refusal(() => map({ messages: [{ role: 'user', content: [{ type: 'tool_result' }] }] })).param).toBe('messages.0.content.0.tool_use_id')
    expect(refusal(() => map({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 't', input: 'ls' }] }] })).param).toBe(
      'messages.0.content.0.input',
    )
    expect(refusal(() => map({ messages: [{ role: 'system', content: [{ type: 'image', source: {} }] }] })).message).toContain('only text blocks')
    expect(refusal(() => map({ messages: [{ role: 'system', content: 'only a system prompt' }] })).message).toContain('at least one user or assistant')
    expect(refusal(() => map({ messages: [{ role: 'tool', content: 'x' }] })).param).toBe('messages.0.role')
  })
})

describe('parameters', () => {
  const messages = [{ role: 'user', content: 'hi' }]

  it('maps sampling, stops, metadata, top_k (extra) and drops unknown fields', () => {
    const req = map({
      messages,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END', 'STOP'],
      metadata: { user_id: '{"device_id":"d"}' },
      stream: true,
      context_management: { edits: [] },
      output_config: { effort: 'high' },
      service_tier: 'auto',
      container: 'c',
    })
    expect(req).toEqual({
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      max_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      stop: ['END', 'STOP'],
      user: '{"device_id":"d"}',
      extra: { top_k: 40 },
    })
  })

  it('maps tools with input_schema to function tools and drops server tools', () => {
    const schema = { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] }
    const req = map({
      messages,
      tools: [
        { name: 'Bash', description: 'Run a command', input_schema: schema, cache_control: { type: 'ephemeral' }, defer_loading: true },
        { type: 'custom', name: 'Plain', input_schema: { type: 'object' } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
        { type: 'bash_20250124', name: 'bash' },
        { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    })
    expect(req.tools).toEqual([
      { type: 'function', function: { name: 'Bash', description: 'Run a command', parameters: schema } },
      { type: 'function', function: { name: 'Plain', parameters: { type: 'object' } } },
    ])
    expect(req.tool_choice).toBe('required')
    expect(req.extra).toEqual({ parallel_tool_calls: false })
  })

  it('maps tool_choice auto / none / tool, and drops it (with parallel_tool_calls) when no tool is left', () => {
    const tools = [{ name: 't', input_schema: { type: 'object' } }]
    expect(map({ messages, tools, tool_choice: { type: 'auto' } }).tool_choice).toBe('auto')
    expect(map({ messages, tools, tool_choice: { type: 'none' } }).tool_choice).toBe('none')
    expect(map({ messages, tools, tool_choice: { type: 'tool', name: 't' } }).tool_choice).toEqual({ type: 'function', function: { name: 't' } })
    const serverOnly = map({ messages, tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'auto', disable_parallel_tool_use: true } })
    expect(serverOnly.tools).toBeUndefined()
    expect(serverOnly.tool_choice).toBeUndefined()
    expect(serverOnly.extra).toEqual({})
    expect(refusal(() => map({ messages, tools, tool_choice: { type: 'tool' } })).param).toBe('tool_choice.name')
    expect(refusal(() => map({ messages, tools: [{ name: 'no-schema' }] })).param).toBe('tools.0.input_schema')
  })

  it('maps thinking: enabled → budget, adaptive → effort (output_config or medium), disabled → none', () => {
    expect(map({ messages, thinking: { type: 'enabled', budget_tokens: 31999 } }).reasoning).toEqual({ budgetTokens: 31999 })
    expect(map({ messages, thinking: { type: 'adaptive', display: 'omitted' }, output_config: { effort: 'high' } }).reasoning).toEqual({ effort: 'high' })
    expect(map({ messages, thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }).reasoning).toEqual({ effort: 'high' })
    expect(map({ messages, thinking: { type: 'adaptive' } }).reasoning).toEqual({ effort: 'medium' })
    expect(map({ messages, thinking: { type: 'adaptive' }, output_config: { effort: 'constructor' } }).reasoning).toEqual({ effort: 'medium' })
    expect(map({ messages, thinking: { type: 'disabled' } }).reasoning).toBeUndefined()
    expect(refusal(() => map({ messages, thinking: { type: 'enabled' } })).param).toBe('thinking.budget_tokens')
  })

  it('requires model, messages and max_tokens, and checks ranges as Anthropic does', () => {
    expect(refusal(() => parseMessagesBody({ messages, model: 'm' })).message).toBe('max_tokens: Field required')
    expect(refusal(() => parseMessagesBody({ messages, max_tokens: 1 })).message).toBe('model: Field required')
    expect(refusal(() => parseMessagesBody({ model: 'm', max_tokens: 1 })).message).toBe('messages: Field required')
    expect(refusal(() => parseMessagesBody({ ...base, messages, temperature: 1.5 })).param).toBe('temperature')
    expect(refusal(() => parseMessagesBody({ ...base, messages, tool_choice: { type: 'sometimes' } })).param).toBe('tool_choice.type')
    expect(refusal(() => parseMessagesBody([1, 2])).param).toBeNull()
    // count_tokens takes the same body without max_tokens.
    expect(parseCountBody({ model: 'm', messages }).model).toBe('m')
  })

  it('refuses a body nested 5,000 deep before mapping it', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 5000; i++) deep = [deep]
    const messagesDeep = [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_a', content: [{ type: 'json', value: deep }] }] }]
    expect(refusal(() => map({ messages: messagesDeep })).message).toMatch(/nested deeper than 64 levels/)
    expect(refusal(() => toPrompt(parseCountBody({ model: 'm', messages: messagesDeep }))).message).toMatch(/nested deeper than 64 levels/)
  })
})

describe('tool ids', () => {
  it('prefix upstream ids for the client and strip the prefix again on the way back', () => {
    expect(toolUseIdOf('call_abc')).toBe('toolu_call_abc')
    expect(toolUseIdOf('functions.Bash:0')).toBe('toolu_functions_Bash_0')
    expect(toolUseIdOf('toolu_01X')).toBe('toolu_01X')
    expect(toolUseIdOf(undefined)).toMatch(/^toolu_[A-Za-z0-9_-]{16}$/)
    expect(callIdOf('toolu_call_abc')).toBe('call_abc')
    expect(callIdOf('client-made')).toBe('client-made')
    expect(callIdOf('toolu_')).toBe('toolu_')
  })
})
