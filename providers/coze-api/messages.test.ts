import { describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../src/kit/types.js'
import { historyMessages, newestQuestion } from './messages.js'

describe('coze-api additional_messages', () => {
  it('maps a history to questions and answers; system and tool turns travel as questions', () => {
    const history: ChatMessage[] = [
      { role: 'system', content: '用中文回答' },
      { role: 'user', content: '天气怎么样？' },
      { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
      { role: 'tool', content: '晴', tool_call_id: 't' },
      { role: 'assistant', content: '今天晴。' },
      { role: 'user', content: [{ type: 'text', text: '明天呢？' }] },
    ]
    expect(historyMessages(history)).toEqual([
      { role: 'user', type: 'question', content: '用中文回答', content_type: 'text' },
      { role: 'user', type: 'question', content: '天气怎么样？', content_type: 'text' },
      { role: 'assistant', type: 'answer', content: '[call weather({})]', content_type: 'text' },
      { role: 'user', type: 'question', content: 'tool result: 晴', content_type: 'text' },
      { role: 'assistant', type: 'answer', content: '今天晴。', content_type: 'text' },
      { role: 'user', type: 'question', content: '明天呢？', content_type: 'text' },
    ])
  })

  it('image URLs become an object_string item list', () => {
    const [m] = historyMessages([
      { role: 'user', content: [{ type: 'text', text: '这是什么？' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
    ])
    expect(m!.content_type).toBe('object_string')
    expect(JSON.parse(m!.content)).toEqual([
      { type: 'text', text: '这是什么？' },
      { type: 'image', file_url: 'https://example.com/a.png' },
    ])
  })

  it('inline data images are refused as an invalid request', () => {
    const msg: ChatMessage = { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }
    expect(() => historyMessages([msg])).toThrow(expect.objectContaining({ kind: 'invalid_request' }))
  })

  it('folds the oldest turns when the history exceeds 100 messages', () => {
    const history: ChatMessage[] = Array.from({ length: 130 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` }))
    const out = historyMessages(history)
    expect(out).toHaveLength(100)
    expect(out[0]!.content).toContain('m0')
    expect(out[0]!.content).toContain('m30')
    expect(out[1]!.content).toBe('m31')
    expect(out.at(-1)!.content).toBe('m129')
  })

  it('a continued conversation sends only the newest question', () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ]
    expect(newestQuestion(history)).toEqual([{ role: 'user', type: 'question', content: 'c', content_type: 'text' }])
  })

  it('without any user message there is nothing to ask', () => {
    expect(() => historyMessages([{ role: 'assistant', content: 'x' }])).toThrow(expect.objectContaining({ kind: 'invalid_request' }))
    expect(() => newestQuestion([{ role: 'assistant', content: 'x' }])).toThrow(expect.objectContaining({ kind: 'invalid_request' }))
  })
})
