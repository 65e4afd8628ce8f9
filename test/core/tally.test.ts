// What a response contained: text gathered as it passes, usage from upstream or estimated with the
// tokenizer, counted once per response however often it is read (the reply and the record both
// read it; estimating tokenizes the whole prompt).
import { describe, expect, it } from 'vitest'
import { Tally } from '../../src/core/tally.js'
import type { ChatMessage } from '../../src/kit/types.js'

const messages: ChatMessage[] = [{ role: 'user', content: 'Say hello in one short sentence.' }]

describe('tally', () => {
  it("uses the upstream's numbers when it sent them", () => {
    const t = new Tally()
    t.observe({ type: 'text', text: 'Hello there.' }, 1)
    t.observe({ type: 'usage', promptTokens: 12, completionTokens: 3 }, 2)
    expect(t.usage(messages)).toEqual({ promptTokens: 12, completionTokens: 3, estimated: false })
    expect(t.text).toBe('Hello there.')
    expect(t.firstEventAt).toBe(1)
    t.observe({ type: 'usage', promptTokens: 12, completionTokens: 40, reasoningTokens: 30 }, 3)
    expect(t.usage(messages)).toEqual({ promptTokens: 12, completionTokens: 40, reasoningTokens: 30, estimated: false })
  })

  it('estimates with the tokenizer otherwise, once, and again only after more events', () => {
    const t = new Tally()
    t.observe({ type: 'text', text: 'Hello there.' }, 1)
    const first = t.usage(messages)
    expect(first.estimated).toBe(true)
    expect(first.promptTokens).toBeGreaterThan(5)
    expect(first.completionTokens).toBeGreaterThan(1)
    expect(t.usage(messages)).toBe(first) // counted once
    t.observe({ type: 'text', text: ' And a much longer second sentence follows it here.' }, 2)
    const second = t.usage(messages)
    expect(second).not.toBe(first)
    expect(second.completionTokens).toBeGreaterThan(first.completionTokens)
  })
})
