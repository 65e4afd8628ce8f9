import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest, ProviderAdapter } from '../../src/kit/types.js'
import { makeContext as baseContext, collectEvents, createAdapter, textFrom } from '../../test/helpers/adapter-context.js'
import { FakeHailuo } from '../../test/fakes/minimax-web-hailuo.js'
import type { MinimaxSettings } from './constants.js'
import minimaxWeb, { foldForHailuo } from './index.js'

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
const token = `${b64({ alg: 'HS256' })}.${b64({ user: { id: 'a6f0c1d2-0000-4000-8000-000000000001' } })}.c2ln`

const fake = await new FakeHailuo().start()
fake.tokens.add(token)
afterAll(() => fake.close())

let adapter: ProviderAdapter<MinimaxSettings>
beforeEach(() => {
  adapter = createAdapter(minimaxWeb, fake.url, { flow: 'hailuo', hailuo_url: fake.url })
  fake.plan = (msg) => ({ text: `海螺：${msg}`, end: 'both' })
})

type Opts = Parameters<typeof baseContext<MinimaxSettings>>[0]
const makeContext = (o: Partial<Opts> = {}) =>
  baseContext<MinimaxSettings>({
    secret: token,
    ...o,
    baseUrl: 'http://127.0.0.1:9', // the agent origin must not be used by the legacy flow
    settings: { ...minimaxWeb.settings!.parse({}), flow: 'hailuo', hailuo_url: fake.url, ...o.settings },
  })

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'minimax',
  requestedModel: 'minimax',
  flags: new Set(),
  messages: [{ role: 'user', content: '你好' }],
  stream: true,
  extra: {},
  ...over,
})

describe('minimax-web legacy hailuo flow against the fake', () => {
  it('sends a signed multipart message and streams the cumulative SSE as deltas', async () => {
    const events = await collectEvents(adapter.chat(request(), makeContext()))
    expect(events[0]).toMatchObject({ type: 'conversation', id: expect.stringMatching(/^\d{18}$/) })
    expect(textFrom(events)).toBe('海螺：你好')
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    const form = fake.sentForms.at(-1)!
    expect(Object.fromEntries(form)).toEqual({ characterID: '1', msgContent: '你好', chatID: '0', searchMode: '0' })
  })

  it('handles each end marker: isEnd 0 alone, type 8 alone', async () => {
    for (const end of ['isEnd', 'type8'] as const) {
      fake.plan = (msg) => ({ text: `结束：${msg}`, end })
      const events = await collectEvents(adapter.chat(request(), makeContext()))
      expect(textFrom(events)).toBe('结束：你好')
      expect(events.filter((e) => e.type === 'finish')).toEqual([{ type: 'finish', reason: 'stop' }])
    }
  })

  it('folds history as role:content lines ending in an open assistant turn, signed with line breaks', async () => {
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: '一\n二' },
      { role: 'assistant', content: '三' },
      { role: 'user', content: '四' },
    ]
    expect(foldForHailuo(messages)).toBe('user:一\n二\nassistant:三\nuser:四\nassistant:')
    const events = await collectEvents(adapter.chat(request({ messages }), makeContext()))
    expect(textFrom(events)).toBe('海螺：user:一\n二\nassistant:三\nuser:四\nassistant:')
  })

  it('continues a chat by chatID with only the newest message', async () => {
    const ctx = makeContext()
    const first = await collectEvents(adapter.chat(request(), ctx))
    const id = (first[0] as { id: string }).id
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: '你好' },
      { role: 'assistant', content: textFrom(first) },
      { role: 'user', content: '再见' },
    ]
    await collectEvents(adapter.chat(request({ messages, continueFrom: { conversationId: id } }), ctx))
    expect(fake.sentForms.at(-1)!.get('chatID')).toBe(id)
    expect(fake.chats.get(id)).toEqual(['你好', '再见'])
  })

  it('leaves one-shot clean-up to the core: the adapter deletes nothing itself', async () => {
    const events = await collectEvents(adapter.chat(request(), makeContext({ settings: { multi_turn: false } })))
    expect(fake.deleted).not.toContain((events[0] as { id: string }).id)
  })

  it('registers a new device when the server forgot the cached one', async () => {
    const ctx = makeContext()
    await collectEvents(adapter.chat(request(), ctx))
    const old = ctx.state.deviceId
    fake.devices.clear()
    const events = await collectEvents(adapter.chat(request(), ctx))
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    expect(ctx.state.deviceId).not.toBe(old)
  })

  it('deleteConversation sends DELETE /v1/api/chat/history/<id>', async () => {
    const ctx = makeContext()
    const events = await collectEvents(adapter.chat(request(), ctx))
    const id = (events[0] as { id: string }).id
    await adapter.deleteConversation!({ conversationId: id }, ctx)
    expect(fake.deleted).toContain(id)
    expect(fake.chats.has(id)).toBe(false)
  })

  it('an expired token is credential_invalid; probe says not ok', async () => {
    const dead = `${b64({ alg: 'HS256' })}.${b64({ user: { id: 'x' } })}.ZGVhZA`
    await expect(collectEvents(adapter.chat(request(), makeContext({ secret: dead })))).rejects.toMatchObject({
      kind: 'credential_invalid',
    })
    expect((await adapter.probe!(makeContext({ secret: dead }))).ok).toBe(false)
    expect(await adapter.probe!(makeContext())).toEqual({ ok: true, account: 'hailuo-user' })
  })

  it('aborting closes the SSE connection', async () => {
    fake.clientClosedEarly = false
    fake.plan = () => ({ text: '长'.repeat(300), step: 1, delayMs: 10 })
    const abort = new AbortController()
    let n = 0
    await expect(
      (async () => {
        for await (const ev of adapter.chat(request(), makeContext({ signal: abort.signal }))) {
          if (ev.type === 'text' && ++n === 3) abort.abort()
        }
      })(),
    ).rejects.toThrow()
    await new Promise((r) => setTimeout(r, 100))
    expect(fake.clientClosedEarly).toBe(true)
  })
})
