import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { collectEvents, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { QWEN_THINKING, type QwenFake, qwenAnswer, startQwenFake } from '../../test/fakes/qwen-web.js'
import { assistant, fakeJwt, qwenRequest, qwenSetup, user } from '../../test/fakes/qwen-web-harness.js'

let fake: QwenFake
const TOKEN = fakeJwt({ id: 'user-42', email: 'a@example.com', exp: Math.floor(Date.now() / 1000) + 3600 })
const JAR = `token=${TOKEN}; cna=abc; x-ap=ap-southeast-1`
beforeAll(async () => {
  fake = await startQwenFake()
  fake.tokens.add(TOKEN)
})
afterAll(() => fake.close())
afterEach(() => {
  fake.scenario = 'answer'
  fake.calls.length = 0
})

const setup = (secret = JAR) => qwenSetup(fake, { site: 'intl', secret })
const completions = () => fake.calls.filter((c) => c.path === '/api/v2/chat/completions')

describe('qwen-web on chat.qwen.ai', () => {
  it('creates a chat, streams phases and reports usage', async () => {
    const { adapter, ctx, upstreamOf } = setup()
    const events = await collectEvents(adapter.chat(qwenRequest(upstreamOf('qwen3'), [user('你好')], { flags: new Set(['thinking']) }), ctx))
    expect(fake.calls.filter((c) => c.path === '/api/v2/chats/new')).toHaveLength(1)
    const chatId = completions()[0]!.query.get('chat_id')
    expect(events[0]).toEqual({ type: 'conversation', id: chatId, parentId: expect.stringMatching(/^[0-9a-f]{32}$/) })
    expect(reasoningFrom(events)).toBe(QWEN_THINKING)
    expect(textFrom(events)).toBe(qwenAnswer('你好', 1))
    expect(events.filter((e) => e.type === 'usage')).toEqual([{ type: 'usage', promptTokens: 12, completionTokens: 34 }])
    expect(completions()[0]!.body).toMatchObject({ model: 'qwen3-max', parent_id: null })
    expect(completions()[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('continues the chat with parent_id = the previous response id', async () => {
    const { adapter, ctx } = setup()
    const first = await collectEvents(adapter.chat(qwenRequest('qwen3-max', [user('一')]), ctx))
    const conv = first[0] as { id: string; parentId: string }
    const continueFrom = { conversationId: conv.id, parentId: conv.parentId }
    const second = await collectEvents(adapter.chat(qwenRequest('qwen3-max', [user('一'), assistant('x'), user('二')], { continueFrom }), ctx))
    expect(textFrom(second)).toBe(qwenAnswer('二', 2))
    expect(completions()[1]!.body).toMatchObject({ chat_id: conv.id, parent_id: conv.parentId, messages: [{ content: '二' }] })
    expect(fake.calls.filter((c) => c.path === '/api/v2/chats/new')).toHaveLength(1)
  })

  it('qwen3-flash runs in fast mode without a thinking suffix', () => {
    const { adapter } = setup()
    expect(adapter.models.find((m) => m.id === 'qwen3-flash')).toMatchObject({ upstream: 'qwen3.5-plus' })
    expect(adapter.models.find((m) => m.id === 'qwen3-flash')!.suffixes).toBeUndefined()
  })

  it('a bare token (no browser cookies) is refused as Bad_Request and reported as such', async () => {
    const { adapter, ctx } = setup(TOKEN)
    await expect(collectEvents(adapter.chat(qwenRequest('qwen3-max', [user('hi')]), ctx))).rejects.toMatchObject({
      kind: 'credential_invalid',
      message: expect.stringContaining('whole browser cookie'),
    })
  })

  it('an unknown token is an invalid credential; an in-stream rate limit is classified', async () => {
    const stranger = fakeJwt({ id: 'x' })
    const bad = setup(`token=${stranger}; cna=1`)
    await expect(collectEvents(bad.adapter.chat(qwenRequest('qwen3-max', [user('hi')]), bad.ctx))).rejects.toMatchObject({ kind: 'credential_invalid' })
    fake.scenario = 'rate-limit'
    const { adapter, ctx } = setup()
    await expect(collectEvents(adapter.chat(qwenRequest('qwen3-max', [user('hi')]), ctx))).rejects.toMatchObject({ kind: 'rate_limited' })
  })

  it('deletes chats and probes the JWT', async () => {
    const { adapter, ctx } = setup()
    const events = await collectEvents(adapter.chat(qwenRequest('qwen3-max', [user('删')]), ctx))
    const id = (events[0] as { id: string }).id
    await adapter.deleteConversation!({ conversationId: id }, ctx)
    expect(fake.deleted).toContain(id)
    expect(await adapter.probe!(ctx)).toEqual({ ok: true, account: 'a@example.com' })
    const expired = setup(`token=${fakeJwt({ id: 'u', exp: 1_000_000 })}`)
    expect(await expired.adapter.probe!(expired.ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('expired') })
  })

  it.each([
    ['bare JWT', TOKEN, `token=${TOKEN}`],
    ['JSON-quoted localStorage value', JSON.stringify(TOKEN), `token=${TOKEN}`],
    ['cookie header', `Cookie: ${JAR}`, JAR],
  ])('normalizeSecret accepts a %s', (_label, raw, expected) => {
    expect(setup().adapter.normalizeSecret!(raw)).toBe(expected)
  })
})
