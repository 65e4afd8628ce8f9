import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../src/kit/types.js'
import { findPairChat, forgetChat, goJson, incomingPairKey, lastPairKey, outgoingPairKey, pairHash, rememberPair, stripThink } from './pairs.js'

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')

describe('hixai-web pair hash (HixAI2Api conversation reuse)', () => {
  it('escapes like Go json.Marshal', () => {
    expect(goJson({ a: '<b>&\u2028' })).toBe('{"a":"\\u003cb\\u003e\\u0026\\u2028"}')
  })

  it('hashes the Go JSON of the pair with \\n \\t \\r escapes deleted', () => {
    const expected = sha256('[{"role":"user","content":"hi \\u003c3line2"},{"role":"assistant","content":"你好tabbed"}]')
    expect(pairHash('hi <3\nline2', '  你好\ttabbed \r\n')).toBe(expected)
  })

  it('ignores reasoning folded into the assistant content', () => {
    expect(stripThink('<think>\nhmm\n</think>\n\nanswer')).toBe('answer')
    expect(pairHash('q', '<think>x</think>answer')).toBe(pairHash('q', 'answer'))
  })

  const history: ChatMessage[] = [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: '第一问' },
    { role: 'assistant', content: '第一答' },
    { role: 'user', content: [{ type: 'text', text: '第二问' }] },
  ]

  it('links the key stored after an answer to the key the next turn arrives with', () => {
    const stored = outgoingPairKey(history.slice(0, 2), '第一答 ')
    expect(stored).toBeDefined()
    expect(incomingPairKey(history)).toBe(stored)
  })

  it('keys a history ending in an answer the same way, for the core mapping', () => {
    expect(lastPairKey(history.slice(0, 3))).toBe(incomingPairKey(history))
    expect(lastPairKey(history)).toBeUndefined()
  })

  it('finds the pair even when the client dropped older history', () => {
    expect(incomingPairKey(history.slice(1))).toBe(incomingPairKey(history))
  })

  it('has no key without a user/assistant pair right before the newest user message', () => {
    expect(incomingPairKey(history.slice(0, 2))).toBeUndefined()
    expect(incomingPairKey([...history, { role: 'assistant', content: 'x' }])).toBeUndefined()
    expect(incomingPairKey([{ role: 'system', content: 's' }, { role: 'assistant', content: 'a' }, { role: 'user', content: 'u' }])).toBeUndefined()
    expect(outgoingPairKey(history, '   ')).toBeUndefined()
  })

  it('keeps the newest entries per model, and forgets deleted chats', () => {
    let pairs = rememberPair(undefined, 'gpt-4o', 'k1', 'chat-1', 1, 2)
    pairs = rememberPair(pairs, 'gpt-4o', 'k2', 'chat-2', 2, 2)
    pairs = rememberPair(pairs, 'gpt-4o', 'k3', 'chat-3', 3, 2)
    expect(findPairChat(pairs, 'gpt-4o', 'k1')).toBeUndefined()
    expect(findPairChat(pairs, 'gpt-4o', 'k3')).toBe('chat-3')
    expect(findPairChat(pairs, 'claude', 'k3')).toBeUndefined()
    expect(findPairChat(forgetChat(pairs, 'chat-3'), 'gpt-4o', 'k3')).toBeUndefined()
    expect(findPairChat(forgetChat(pairs, 'chat-3'), 'gpt-4o', 'k2')).toBe('chat-2')
  })
})
