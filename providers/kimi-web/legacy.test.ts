// The adapter in legacy mode (refresh token) against the fake kimi.moonshot.cn REST + SSE upstream.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest, DeltaEvent } from '../../src/kit/types.js'
import { type FakeKimi, startFakeKimi } from '../../test/fakes/kimi-web.js'
import { collectEvents, createAdapter, makeContext, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { fingerprint } from './credential.js'
import kimiWeb, { type KimiSettings } from './index.js'

let fake: FakeKimi
const REFRESH = 'legacy-refresh-token-0001'
beforeAll(async () => {
  fake = await startFakeKimi()
  fake.legacy.refreshTokens.set(REFRESH, { userId: 'cn-user-1', name: '测试用户' })
})
afterAll(() => fake.close())
beforeEach(() => {
  fake.legacy.end = 'all_done'
  fake.legacy.answer = ['你好', '，世界']
})

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'kimi',
  requestedModel: 'kimi',
  flags: new Set(),
  messages: [{ role: 'user', content: '你好' }],
  stream: false,
  extra: {},
  ...over,
})
const adapter = () => createAdapter(kimiWeb, fake.url)
const ctx = (over: Partial<Parameters<typeof makeContext<KimiSettings>>[0]> = {}) =>
  makeContext<KimiSettings>({ secret: REFRESH, settings: { scenario: 'SCENARIO_K2D5', legacy_base_url: '' }, ...over, baseUrl: fake.url })
const lastCompletion = () => fake.legacy.completions.at(-1)!
const kindOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: { kind?: string }) => e.kind ?? String(e))
const conversationOf = (evs: DeltaEvent[]) => evs.find((e) => e.type === 'conversation') as Extract<DeltaEvent, { type: 'conversation' }>

describe('kimi-web legacy flow (refresh token)', () => {
  it('refreshes once, caches the access token and answers with cmpl events', async () => {
    const c = ctx()
    const calls = fake.legacy.refreshCalls
    const events = await collectEvents(adapter().chat(request(), c))
    expect(textFrom(events)).toBe('你好，世界')
    expect(events[0]).toMatchObject({ type: 'conversation' })
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    await collectEvents(adapter().chat(request(), c))
    expect(fake.legacy.refreshCalls).toBe(calls + 1)
    expect(c.state.legacy_access_token).toMatch(/^legacy-access-/)
    expect(lastCompletion().headers['x-traffic-id']).toBe('cn-user-1')
    expect(lastCompletion().body).toMatchObject({ kimiplus_id: 'kimi', use_search: false, messages: [{ role: 'user', content: '你好' }] })
  })

  it('kimi-thinking uses the K1 assistant and k1 events become reasoning; search sources become citations', async () => {
    const events = await collectEvents(adapter().chat(request({ model: 'kimi-thinking', flags: new Set(['search']) }), ctx()))
    expect(lastCompletion().body).toMatchObject({ kimiplus_id: 'crm40ee9e5jvhsn7ptcg', use_search: true })
    expect(reasoningFrom(events)).toBe('先想一想')
    expect(events).toContainEqual({ type: 'citations', items: [{ url: 'https://src.example/1', title: '来源' }] })
  })

  it('continues a chat with only the newest message', async () => {
    const c = ctx()
    const conv = conversationOf(await collectEvents(adapter().chat(request(), c)))
    const messages = [
      { role: 'user' as const, content: '你好' },
      { role: 'assistant' as const, content: '你好，世界' },
      { role: 'user' as const, content: '再见' },
    ]
    const events = await collectEvents(adapter().chat(request({ messages, continueFrom: { conversationId: conv.id } }), c))
    expect(conversationOf(events).id).toBe(conv.id)
    expect(lastCompletion()).toMatchObject({ chatId: conv.id, body: { messages: [{ role: 'user', content: '再见' }] } })
    expect(fake.legacy.chats.get(conv.id)).toEqual(['你好', '再见'])
  })

  it('re-refreshes once when the cached access token is rejected', async () => {
    const state = { legacy_for: fingerprint(REFRESH), legacy_access_token: 'revoked', legacy_user_id: 'cn-user-1', legacy_expires_at: Date.now() + 60_000 }
    const c = ctx({ state })
    const calls = fake.legacy.refreshCalls
    expect(textFrom(await collectEvents(adapter().chat(request(), c)))).toBe('你好，世界')
    expect(fake.legacy.refreshCalls).toBe(calls + 1)
    expect(c.state.legacy_access_token).not.toBe('revoked')
  })

  it('leaves one-shot clean-up to the core: the adapter deletes nothing itself', async () => {
    const settings = { scenario: 'SCENARIO_K2D5', legacy_base_url: '', multi_turn: false, keep_conversations: false }
    const events = await collectEvents(adapter().chat(request(), ctx({ settings })))
    expect(fake.legacy.deleted).not.toContain(conversationOf(events).id)
  })

  it('deletes chats and maps length / error endings', async () => {
    fake.legacy.end = 'length'
    const events = await collectEvents(adapter().chat(request(), ctx()))
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'length' })
    await adapter().deleteConversation!({ conversationId: conversationOf(events).id }, ctx())
    expect(fake.legacy.deleted).toContain(conversationOf(events).id)
    fake.legacy.end = 'error'
    expect((await collectEvents(adapter().chat(request(), ctx()))).at(-1)).toEqual({ type: 'finish', reason: 'content_filter' })
  })

  it('classifies a dead refresh token, a busy account and a stream without all_done', async () => {
    expect(await kindOf(collectEvents(adapter().chat(request(), ctx({ secret: 'dead-refresh-token' }))))).toBe('credential_invalid')
    fake.legacy.busyNext = true
    const seen: DeltaEvent[] = []
    const run = async () => {
      for await (const e of adapter().chat(request(), ctx())) seen.push(e)
    }
    expect(await kindOf(run())).toBe('rate_limited')
    expect(seen).toEqual([]) // before any event, so the core can fail over
    fake.legacy.end = 'none'
    expect(await kindOf(collectEvents(adapter().chat(request(), ctx())))).toBe('protocol')
  })

  it('probe names the account, or explains why not', async () => {
    expect(await adapter().probe!(ctx())).toEqual({ ok: true, account: '测试用户' })
    const dead = await adapter().probe!(ctx({ secret: 'dead-refresh-token' }))
    expect(dead).toMatchObject({ ok: false })
    expect(dead.reason).toMatch(/auth\.token\.invalid/)
  })
})
