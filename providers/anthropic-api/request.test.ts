import { describe, expect, it } from 'vitest'
import type { ChatMessage, ChatRequest } from '../../src/kit/types.js'
import { validateMessagesBody } from '../../test/fakes/anthropic-api-validate.js'
import { type BuildOptions, LEADING_USER_PLACEHOLDER, buildBody, toolChoiceOf } from './request.js'

const options: BuildOptions = { maxTokensDefault: 4096, thinkingBudgetDefault: 8192, thinkingStyle: 'budget' }

function request(messages: ChatMessage[], over: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'claude-sonnet-4-5', requestedModel: 'claude-sonnet-4-5', flags: new Set(), messages, stream: false, extra: {}, ...over }
}

const weatherTool = { type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }
const call = (id: string, args = '{"city":"北京"}') => ({ id, type: 'function' as const, function: { name: 'get_weather', arguments: args } })

/** Every body built here must also pass the fake's copy of the API's own checks. */
function build(req: ChatRequest, o: BuildOptions = options) {
  const body = buildBody(req, o)
  expect(validateMessagesBody(JSON.parse(JSON.stringify(body)))).toBeUndefined()
  return body
}

describe('anthropic-api request mapping', () => {
  it('moves system and developer messages (also mid-conversation) to the top-level system', () => {
    const body = build(request([
      { role: 'system', content: '用中文回答' },
      { role: 'user', content: '你好' },
      { role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] },
    ]))
    expect(body.system).toEqual([{ type: 'text', text: '用中文回答' }, { type: 'text', text: 'Be brief.' }])
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: '你好' }] }])
  })

  it('merges consecutive same-role turns and opens with a user turn', () => {
    const body = build(request([
      { role: 'assistant', content: 'Hi, how can I help?' },
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: 'c' },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'd' },
    ]))
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: LEADING_USER_PLACEHOLDER }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Hi, how can I help?' }] },
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'c' }] },
      { role: 'user', content: [{ type: 'text', text: 'd' }] },
    ])
  })

  it('maps data: images to base64 sources and http(s) images to url sources', () => {
    const body = build(request([
      { role: 'user', content: [
        { type: 'text', text: '这两张是什么？' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
      ] },
    ]))
    expect((body.messages as { content: unknown[] }[])[0]!.content).toEqual([
      { type: 'text', text: '这两张是什么？' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ])
  })

  it('refuses images it cannot pass on and audio the API does not take', () => {
    const ftp = request([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/a.png' } }] }])
    expect(() => buildBody(ftp, options)).toThrow(expect.objectContaining({ kind: 'invalid_request' }))
    const audio = request([{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }])
    expect(() => buildBody(audio, options)).toThrow(expect.objectContaining({ kind: 'not_supported' }))
  })

  it('passes an inline PDF file as a document block', () => {
    const body = build(request([{ role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } }, { type: 'text', text: 'Summarise' }] }]))
    expect((body.messages as { content: unknown[] }[])[0]!.content[0]).toEqual({
      type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'a.pdf',
    })
  })

  it('maps function tools, tool calls and tool results (a round trip), dropping reasoning_content', () => {
    const body = build(request([
      { role: 'user', content: '北京和上海天气？' },
      { role: 'assistant', content: '查一下。', reasoning_content: '先想想', tool_calls: [call('toolu_1'), call('toolu_2', '{"city":"上海"}')] },
      { role: 'tool', tool_call_id: 'toolu_1', content: '晴' },
      { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '雨' }] },
    ], { tools: [weatherTool, { type: 'web_search' }], tool_choice: 'auto' }))
    expect(body.tools).toEqual([{ name: 'get_weather', description: 'Weather of a city', input_schema: weatherTool.function.parameters }])
    expect(body.tool_choice).toEqual({ type: 'auto' })
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: '北京和上海天气？' }] },
      { role: 'assistant', content: [
        { type: 'text', text: '查一下。' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: '北京' } },
        { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: '上海' } },
      ] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: '晴' },
        { type: 'tool_result', tool_use_id: 'toolu_2', content: '雨' },
      ] },
    ])
  })

  it('puts tool results before a user text that follows them in the same turn', () => {
    const body = build(request([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, tool_calls: [call('toolu_1', '')] },
      { role: 'tool', tool_call_id: 'toolu_1', content: '' },
      { role: 'user', content: 'and now?' },
    ], { tools: [weatherTool] }))
    expect((body.messages as { content: unknown[] }[])[1]!.content).toEqual([{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }])
    expect((body.messages as { content: unknown[] }[])[2]!.content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_1' },
      { type: 'text', text: 'and now?' },
    ])
  })

  it('without tools on the request, earlier tool calls and results travel as text', () => {
    const body = build(request([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, tool_calls: [call('toolu_1')] },
      { role: 'tool', tool_call_id: 'toolu_1', content: '晴' },
    ]))
    expect(body.tools).toBeUndefined()
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'text', text: '[called tool get_weather with {"city":"北京"}]' }] },
      { role: 'user', content: [{ type: 'text', text: '[tool result for toolu_1] 晴' }] },
    ])
  })

  it('refuses tool arguments that are not a JSON object, and tool messages without an id', () => {
    const badArgs = request([{ role: 'user', content: 'q' }, { role: 'assistant', content: null, tool_calls: [call('t', '{"city":')] }], { tools: [weatherTool] })
    expect(() => buildBody(badArgs, options)).toThrow(expect.objectContaining({ kind: 'invalid_request', message: expect.stringContaining('get_weather') }))
    const noId = request([{ role: 'user', content: 'q' }, { role: 'tool', content: 'x' }], { tools: [weatherTool] })
    expect(() => buildBody(noId, options)).toThrow(expect.objectContaining({ kind: 'invalid_request' }))
    expect(() => buildBody(request([{ role: 'system', content: 'only a system prompt' }]), options)).toThrow(/at least one user/)
  })

  it('maps tool_choice: auto, none, required → any, a named function → tool, and parallel_tool_calls:false', () => {
    expect(toolChoiceOf('none', undefined)).toEqual({ type: 'none' })
    expect(toolChoiceOf('required', undefined)).toEqual({ type: 'any' })
    expect(toolChoiceOf({ type: 'function', function: { name: 'get_weather' } }, undefined)).toEqual({ type: 'tool', name: 'get_weather' })
    expect(toolChoiceOf(undefined, false)).toEqual({ type: 'auto', disable_parallel_tool_use: true })
    expect(toolChoiceOf('required', false)).toEqual({ type: 'any', disable_parallel_tool_use: true })
    expect(toolChoiceOf(undefined, undefined)).toBeUndefined()
    const body = build(request([{ role: 'user', content: 'q' }], { tools: [weatherTool], tool_choice: 'required', extra: { parallel_tool_calls: false } }))
    expect(body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true })
    // tool_choice without tools is meaningless to the API and left out
    expect(build(request([{ role: 'user', content: 'q' }], { tool_choice: 'auto' })).tool_choice).toBeUndefined()
  })

  it('maps sampling fields: max_tokens (or the default), temperature clamped to 1, top_p, top_k, stop, user', () => {
    const body = build(request([{ role: 'user', content: 'q' }], { max_tokens: 100, temperature: 1.6, top_p: 0.9, stop: ['END'], user: 'u-42', extra: { top_k: 5, frequency_penalty: 1 } }))
    expect(body).toMatchObject({ max_tokens: 100, temperature: 1, top_p: 0.9, top_k: 5, stop_sequences: ['END'], metadata: { user_id: 'u-42' }, stream: false })
    expect(body).not.toHaveProperty('frequency_penalty')
    expect(build(request([{ role: 'user', content: 'q' }])).max_tokens).toBe(4096)
  })
})

describe('anthropic-api thinking', () => {
  const q: ChatMessage[] = [{ role: 'user', content: 'q' }]

  it('is off unless asked for', () => {
    expect(build(request(q)).thinking).toBeUndefined()
  })

  it('the -thinking flag uses the default budget, and raises max_tokens above it', () => {
    const body = build(request(q, { flags: new Set(['thinking']), max_tokens: 1000, temperature: 0.2, top_p: 0.5, extra: { top_k: 3 } }))
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 })
    expect(body.max_tokens).toBe(9192)
    // thinking takes none of the sampling knobs: the API would refuse them
    expect(body).not.toHaveProperty('temperature')
    expect(body).not.toHaveProperty('top_p')
    expect(body).not.toHaveProperty('top_k')
  })

  it('a named budget wins, raised to the 1024 minimum; effort picks a budget from the table', () => {
    expect(build(request(q, { reasoning: { budgetTokens: 3000 }, max_tokens: 20000 })).thinking).toEqual({ type: 'enabled', budget_tokens: 3000 })
    expect(build(request(q, { reasoning: { budgetTokens: 10 } })).thinking).toEqual({ type: 'enabled', budget_tokens: 1024 })
    expect(build(request(q, { reasoning: { effort: 'low' } })).thinking).toEqual({ type: 'enabled', budget_tokens: 2048 })
    expect(build(request(q, { reasoning: { effort: 'high' } })).thinking).toEqual({ type: 'enabled', budget_tokens: 24576 })
  })

  it("effort 'none' turns thinking off even with the -thinking flag", () => {
    expect(build(request(q, { flags: new Set(['thinking']), reasoning: { effort: 'none' } })).thinking).toBeUndefined()
  })

  it('adaptive models get {type: adaptive} and output_config.effort instead of a budget', () => {
    const adaptive = { ...options, thinkingStyle: 'adaptive' as const }
    const body = build(request(q, { model: 'claude-opus-4-7', reasoning: { effort: 'minimal', budgetTokens: 5000 } }), adaptive)
    expect(body).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'low' }, max_tokens: 4096 })
    const flagOnly = build(request(q, { model: 'claude-opus-4-7', flags: new Set(['thinking']) }), adaptive)
    expect(flagOnly.thinking).toEqual({ type: 'adaptive' })
    expect(flagOnly).not.toHaveProperty('output_config')
  })

  it('is left off when a tool is forced, and in a tool loop whose signed thinking block is unknown', () => {
    const forced = build(request(q, { flags: new Set(['thinking']), tools: [weatherTool], tool_choice: 'required' }))
    expect(forced.thinking).toBeUndefined()
    const loop = build(request([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, reasoning_content: 'thought', tool_calls: [call('toolu_1')] },
      { role: 'tool', tool_call_id: 'toolu_1', content: '晴' },
    ], { flags: new Set(['thinking']), tools: [weatherTool] }))
    expect(loop.thinking).toBeUndefined()
  })
})
