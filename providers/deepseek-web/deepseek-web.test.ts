import { afterEach, describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { chatRequest as request, conversationOf, deepseekSetUp } from '../../test/fakes/deepseek-web-harness.js'
import type { FakeDeepseek, FakeDeepseekOptions } from '../../test/fakes/deepseek-web.js'
import { collectEvents, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { estimateTextTokens } from '../../src/kit/tokens.js'
import type { DeepseekSettings } from './client.js'

let fake: FakeDeepseek
afterEach(() => fake?.close())

async function setUp(options: FakeDeepseekOptions = {}, settings: Partial<DeepseekSettings> = {}) {
  const made = await deepseekSetUp(options, settings)
  fake = made.fake
  return made
}

const completionBody = (i = -1) => fake.completions.at(i)!.body
const finishOf = (events: DeltaEvent[]) => events.at(-1)

describe('deepseek-web: token flow, session, proof of work, completion', () => {
  it('swaps the user token for a session token, solves the PoW and streams the answer', async () => {
    const { adapter, ctx } = await setUp()
    const events = await collectEvents(adapter.chat(request('deepseek-reasoner', '你好'), ctx))
    expect(fake.calls.map((c) => c.path)).toEqual([
      '/api/v0/users/current',
      '/api/v0/chat_session/create',
      '/api/v0/chat/create_pow_challenge',
      '/api/v0/chat/completion',
    ])
    const completion = fake.calls.at(-1)!.headers
    expect(completion.authorization).toBe(`Bearer ${ctx.state.token}`)
    expect(completion.authorization).not.toContain('user-token-a')
    expect(completion['x-client-version']).toBe('2.0.0')
    expect(completion['x-client-platform']).toBe('web')
    const pow = JSON.parse(Buffer.from(String(completion['x-ds-pow-response']), 'base64').toString())
    expect(Object.keys(pow)).toEqual(['algorithm', 'challenge', 'salt', 'answer', 'signature', 'target_path'])
    expect(pow.target_path).toBe('/api/v0/chat/completion')
    expect(completionBody()).toMatchObject({ parent_message_id: null, model_type: 'default', prompt: '你好', thinking_enabled: true, search_enabled: false })
    expect(events[0]).toMatchObject({ type: 'conversation', parentId: '2' })
    expect(reasoningFrom(events)).toBe('用户在第1轮说“你好”，我来想想。')
    expect(textFrom(events)).toBe('第1轮回答：你好。')
    expect(finishOf(events)).toEqual({ type: 'finish', reason: 'stop' })
    // The BATCH's accumulated_token_usage (the fake counts characters) is the usage, split by the answer's estimate.
    const usage = events.find((e) => e.type === 'usage') as Extract<DeltaEvent, { type: 'usage' }>
    expect(usage.promptTokens + usage.completionTokens).toBe(2 + [...reasoningFrom(events)].length + [...textFrom(events)].length)
    expect(usage.completionTokens).toBe(estimateTextTokens(reasoningFrom(events) + textFrom(events)))
  })

  it.each([
    ['deepseek-chat', [], { thinking_enabled: false, model_type: 'default' }],
    ['deepseek-r1', [], { thinking_enabled: true, model_type: 'default' }],
    ['deepseek-reasoner', ['nothinking'], { thinking_enabled: false, model_type: 'default' }],
    ['deepseek-v4-flash', [], { thinking_enabled: true, model_type: 'default' }],
    ['deepseek-v4-pro', ['search'], { thinking_enabled: true, model_type: 'expert', search_enabled: true }],
  ])('maps %s %j onto the upstream flags', async (model, flags, expected) => {
    const { adapter, ctx } = await setUp()
    const events = await collectEvents(adapter.chat(request(model, 'hi', flags), ctx))
    expect(completionBody()).toMatchObject({ search_enabled: false, ...expected })
    expect(reasoningFrom(events) !== '').toBe(expected.thinking_enabled)
  })

  it.each(['nested', 'legacy'] as const)('reads the %s session id shape', async (shape) => {
    const { adapter, ctx } = await setUp({ sessionIdShape: shape })
    const events = await collectEvents(adapter.chat(request('deepseek-chat', 'hi'), ctx))
    const sessionId = [...fake.sessions.keys()][0]!
    expect(completionBody().chat_session_id).toBe(sessionId)
    expect(conversationOf(events).id).toBe(`${sessionId}@2`)
  })

  it.each(['fragments', 'plain-paths', 'choices'] as const)('reads the %s stream generation', async (generation) => {
    const { adapter, ctx } = await setUp({ generation })
    const events = await collectEvents(adapter.chat(request('deepseek-reasoner', '多字节测试'), ctx))
    expect(reasoningFrom(events)).toBe('用户在第1轮说“多字节测试”，我来想想。')
    expect(textFrom(events)).toBe('第1轮回答：多字节测试。')
    expect(events.findIndex((e) => e.type === 'conversation')).toBeLessThan(events.findIndex((e) => e.type === 'text'))
  })

  it('turns search sources into citations and strips [citation:N] unless -cite', async () => {
    const { adapter, ctx } = await setUp()
    const events = await collectEvents(adapter.chat(request('deepseek-chat', '天气', ['search']), ctx))
    expect(textFrom(events)).toBe('第1轮回答：天气。')
    expect(events.find((e) => e.type === 'citations')).toEqual({
      type: 'citations',
      items: [
        { url: 'https://example.cn/a', title: '来源甲' },
        { url: 'https://example.cn/b', title: '来源乙' },
      ],
    })
    const kept = await collectEvents(adapter.chat(request('deepseek-chat', '天气', ['search', 'cite']), ctx))
    expect(textFrom(kept)).toBe('第1轮回答[citation:1]：天气[citation:2]。')
  })

  it('strips the [reference:N] markers of the older path style unless -cite', async () => {
    const { adapter, ctx } = await setUp({ generation: 'plain-paths' })
    const events = await collectEvents(adapter.chat(request('deepseek-chat', '天气', ['search']), ctx))
    expect(textFrom(events)).toBe('第1轮回答：天气。')
    expect(events.find((e) => e.type === 'citations')).toMatchObject({ items: [{ url: 'https://example.cn/a' }, { url: 'https://example.cn/b' }] })
    const kept = await collectEvents(adapter.chat(request('deepseek-chat', '天气', ['search', 'cite']), ctx))
    expect(textFrom(kept)).toBe('第1轮回答[reference:1]：天气[reference:2]。')
  })

  it('continues an INCOMPLETE answer with /chat/continue and its own PoW', async () => {
    const { adapter, ctx } = await setUp()
    fake.next.push({ kind: 'incomplete', after: 4 })
    const events = await collectEvents(adapter.chat(request('deepseek-chat', '长回答'), ctx))
    expect(textFrom(events)).toBe('第1轮回答：长回答。')
    const resumed = fake.completions.at(-1)!
    expect(resumed.path).toBe('/api/v0/chat/continue')
    expect(resumed.body).toMatchObject({ message_id: 2, fallback_to_resume: true })
    const pow = JSON.parse(Buffer.from(String(fake.calls.at(-1)!.headers['x-ds-pow-response']), 'base64').toString())
    expect(pow.target_path).toBe('/api/v0/chat/continue')
    expect(finishOf(events)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('stops after max_continues and reports length', async () => {
    const { adapter, ctx } = await setUp({}, { max_continues: 0 })
    fake.next.push({ kind: 'incomplete', after: 4 })
    const events = await collectEvents(adapter.chat(request('deepseek-chat', '长回答'), ctx))
    expect(textFrom(events)).toBe('第1轮回')
    expect(finishOf(events)).toEqual({ type: 'finish', reason: 'length' })
  })
})
