// ChatRequest → generateContent body: roles, systemInstruction, images, tools both ways, thinking.
import { describe, expect, it } from 'vitest'
import type { ChatMessage, ChatRequest } from '../../src/kit/types.js'
import { invalidBody } from '../../test/fakes/gemini-api-validate.js'
import { buildBody, thinkingConfigOf, toolConfigOf } from './request.js'

const req = (messages: ChatMessage[], o: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'gemini-2.5-flash',
  requestedModel: 'gemini-2.5-flash',
  flags: new Set(),
  messages,
  stream: false,
  extra: {},
  ...o,
})

describe('gemini-api request', () => {
  it('system and developer messages become systemInstruction; assistant is model; same-side turns merge', () => {
    const body = buildBody(
      req([
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Answer in Chinese.' },
        { role: 'user', content: 'hi' },
        { role: 'user', content: [{ type: 'text', text: 'there' }] },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'again' },
      ]),
      'gemini-api',
    )
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in Chinese.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'hi' }, { text: 'there' }] },
        { role: 'model', parts: [{ text: 'hello' }] },
        { role: 'user', parts: [{ text: 'again' }] },
      ],
    })
    expect(invalidBody(body)).toBeUndefined()
  })

  it('images: data: URLs inline, http URLs as fileData with the type from the extension; audio inline', () => {
    const body = buildBody(
      req([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://img.example/cat.webp?x=1' } },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          ],
        },
      ]),
      'gemini-api',
    )
    expect((body.contents as { parts: unknown[] }[])[0]!.parts).toEqual([
      { text: 'what is this?' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://img.example/cat.webp?x=1' } },
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
    ])
  })

  it('tools: declarations, tool_choice, calls as functionCall and results as functionResponse by name', () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]
    const messages: ChatMessage[] = [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":20}' },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
    ]
    const body = buildBody(req(messages, { tools, tool_choice: 'required' }), 'gemini-api')
    expect(body.tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'Weather', parametersJsonSchema: tools[0]!.function.parameters }] }])
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } })
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'weather?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: '北京' } } }] },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'get_weather', response: { temp: 20 } } }, { functionResponse: { name: 'get_weather', response: { content: 'sunny' } } }],
      },
    ])
    expect(invalidBody(body)).toBeUndefined()
    expect(toolConfigOf({ type: 'function', function: { name: 'x' } })).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['x'] } })
    expect(toolConfigOf('auto')).toBeUndefined()
    // Gemini 3 wants a thought signature on replayed calls; OpenAI history has none, so the documented stand-in goes.
    const g3 = buildBody(req(messages, { model: 'gemini-3-pro-preview', tools }), 'gemini-api')
    expect((g3.contents as { parts: Record<string, unknown>[] }[])[1]!.parts[0]!.thoughtSignature).toBe('skip_thought_signature_validator')
  })

  it('thinking: the suffix includes thoughts with a dynamic budget; effort and budgets map; none turns it off', () => {
    expect(thinkingConfigOf(req([], { flags: new Set(['thinking']) }))).toEqual({ includeThoughts: true, thinkingBudget: -1 })
    expect(thinkingConfigOf(req([], { reasoning: { effort: 'high' } }))).toEqual({ includeThoughts: true, thinkingBudget: 24576 })
    expect(thinkingConfigOf(req([], { reasoning: { budgetTokens: 2000 } }))).toEqual({ includeThoughts: true, thinkingBudget: 2000 })
    expect(thinkingConfigOf(req([], { reasoning: { effort: 'none' } }))).toEqual({ thinkingBudget: 0 })
    expect(thinkingConfigOf(req([]))).toBeUndefined()
  })

  it('sampling and format settings go into generationConfig', () => {
    const body = buildBody(
      req([{ role: 'user', content: 'x' }], {
        temperature: 0.3,
        top_p: 0.9,
        max_tokens: 100,
        stop: ['END'],
        response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' } } },
        extra: { top_k: 5, seed: 7 },
      }),
      'gemini-api',
    )
    expect(body.generationConfig).toEqual({
      temperature: 0.3,
      topP: 0.9,
      topK: 5,
      maxOutputTokens: 100,
      stopSequences: ['END'],
      seed: 7,
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object' },
    })
  })

  it('refuses what cannot be sent', () => {
    expect(() => buildBody(req([{ role: 'system', content: 'only a system prompt' }]), 'gemini-api')).toThrow(/at least one user or assistant/)
    const badArgs: ChatMessage = { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }] }
    expect(() => buildBody(req([{ role: 'user', content: 'x' }, badArgs]), 'gemini-api')).toThrow(/not a JSON object/)
  })
})
