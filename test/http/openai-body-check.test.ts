// The hand-written chat body check must never accept what the zod schema rejects, nor accept a
// body the schema would change; and it must accept what the SDK sends, or the fast path is dead.
import { describe, expect, it } from 'vitest'
import { isWellFormedChat } from '../../src/http/doors/openai/body-check.js'
import { chatRequestSchema, parseChatBody } from '../../src/http/doors/openai/validate.js'

const VALUES: unknown[] = [
  undefined, null, true, false, 0, -0, 1, 2, 4, 5, -1, 0.5, 1.5, 2.5, 1e300, 2 ** 53, -(2 ** 60), '', 'x', 'user', 'tool',
  'function', 'developer', 'robot', 'low', 'high', 'minimal', [], ['a'], ['a', 'b', 'c', 'd', 'e'], [1], [{}], [{ type: 'text' }], [{ type: 1 }], {},
  { type: 'json_object' }, { type: 2 }, { include_usage: true }, { include_usage: 'yes' }, [[]], [null],
  { id: 'c1', function: { name: 'f', arguments: '{}' } }, [{ id: 'c1', function: { name: 'f', arguments: '{}' } }],
  [{ id: 'c1', function: { name: 'f' } }], [{ id: 7, function: { name: 'f', arguments: '' } }],
  [{ type: 'image_url' }], [{ type: 'image_url', image_url: { url: '' } }], [{ type: 'image_url', image_url: 'x' }],
  [{ type: 'image_url', image_url: { url: 'x' } }], [{ type: 'text', text: 'x' }], [{ type: 'text', text: 1 }], { url: 'x' },
]

const TOP = [
  'model', 'messages', 'stream', 'stream_options', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'n',
  'stop', 'tools', 'tool_choice', 'response_format', 'user', 'conversation_id', 'reasoning_effort', 'extra_param',
]
const MESSAGE = ['role', 'content', 'name', 'tool_calls', 'tool_call_id', 'extra']

function base(): Record<string, unknown> {
  return {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:,' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '42' },
    ],
  }
}

/** Small deterministic generator (mulberry32), so a failure replays. */
function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function mutated(random: () => number): unknown {
  const body = base()
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!
  const set = (o: Record<string, unknown>, key: string) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return
    const v = pick(VALUES)
    if (v === undefined && random() < 0.5) delete o[key]
    else o[key] = structuredClone(v)
  }
  const edits = 1 + Math.floor(random() * 3)
  for (let i = 0; i < edits; i++) {
    const where = random()
    const messages = body.messages as Record<string, unknown>[]
    if (where < 0.5 || !Array.isArray(messages) || !messages.length) set(body, pick(TOP))
    else if (where < 0.85) set(pick(messages) as Record<string, unknown>, pick(MESSAGE))
    else {
      const m = pick(messages)
      if (Array.isArray(m?.content) && m.content.length) set(pick(m.content as Record<string, unknown>[]), pick(['type', 'text']))
      else if (Array.isArray(m?.tool_calls) && m.tool_calls.length) set(pick(m.tool_calls as Record<string, unknown>[]), pick(['id', 'function']))
    }
  }
  return random() < 0.02 ? pick([null, [], 'text', 3]) : body
}

describe('isWellFormedChat', () => {
  it('agrees with the schema on generated bodies, and what it accepts the schema leaves unchanged', () => {
    const random = rng(20261121)
    let accepted = 0
    let rejected = 0
    for (let i = 0; i < 20_000; i++) {
      const body = mutated(random)
      const schema = chatRequestSchema.safeParse(body)
      const fast = isWellFormedChat(body)
      expect({ body, fast }).toEqual({ body, fast: schema.success })
      if (fast) {
        accepted++
        expect(schema.data).toEqual(body)
      } else rejected++
    }
    // Both outcomes must be common, or the generator proves nothing.
    expect(accepted).toBeGreaterThan(2000)
    expect(rejected).toBeGreaterThan(2000)
  })

  it('accepts what the openai SDK sends for a plain, a streamed and a tool call', () => {
    const plain = { model: 'm', messages: [{ role: 'user', content: 'hi' }] }
    const streamed = { ...plain, stream: true, stream_options: { include_usage: true }, temperature: 0.7, max_tokens: 100 }
    const tools = { ...plain, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }], tool_choice: 'auto' }
    for (const body of [plain, streamed, tools]) expect(isWellFormedChat(body)).toBe(true)
  })

  it('leaves the errors to the schema: parseChatBody names the bad parameter either way', () => {
    expect(() => parseChatBody({ model: 'm', messages: [] })).toThrow(/messages/)
    expect(() => parseChatBody({ model: 'm', messages: [{ role: 'robot', content: 'x' }] })).toThrow(/messages\.0\.role/)
    expect(() => parseChatBody({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 })).toThrow(/temperature/)
    expect(() => parseChatBody({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 0 })).toThrow(/^n: /)
    expect(() => parseChatBody({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 129 })).toThrow(/^n: /)
  })
})
