import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest, ProviderAdapter } from '../../src/kit/types.js'
import { makeContext as baseContext, collectEvents, createAdapter, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { FakeMinimaxAgent } from '../../test/fakes/minimax-web.js'
import type { MinimaxSettings } from './constants.js'
import minimaxWeb from './index.js'
import { agentQuery, md5, xSignature, yySign } from './sign.js'

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
const fake = await new FakeMinimaxAgent().start()
const jwt = fake.issueToken('9000000000000001')
const opaque = `${b64({ alg: 'HS256' })}.${b64({ iss: 'x' })}.c2ln` // no user id inside
fake.accounts.set(opaque, '9000000000000002')
afterAll(() => fake.close())

let adapter: ProviderAdapter<MinimaxSettings>
beforeEach(() => {
  adapter = createAdapter(minimaxWeb, fake.url)
  fake.plan = (text) => ({ text: `收到：${text}` })
  fake.sent = []
})

type Opts = Parameters<typeof baseContext<MinimaxSettings>>[0]
const makeContext = (o: Partial<Opts> = {}) =>
  baseContext<MinimaxSettings>({
    secret: jwt,
    ...o,
    baseUrl: fake.url,
    settings: { ...minimaxWeb.settings!.parse({}), poll_interval_ms: 5, ...o.settings },
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

describe('minimax-web agent flow against the fake', () => {
  it('registers a device once, sends, and streams the polled answer as deltas', async () => {
    fake.plan = () => ({ think: '让我想想。', text: '你好，我是MiniMax Agent！', step: 3 })
    const ctx = makeContext()
    const events = await collectEvents(adapter.chat(request(), ctx))
    expect(events[0]).toMatchObject({ type: 'conversation' })
    const conv = events[0] as { id: string; parentId: string }
    expect(conv.id).toMatch(/^\d{18}$/)
    expect(fake.chats.has(conv.id)).toBe(true) // the id survived JSON without rounding
    expect(reasoningFrom(events)).toBe('让我想想。')
    expect(textFrom(events)).toBe('你好，我是MiniMax Agent！')
    expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(2)
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    expect(typeof ctx.state.deviceId).toBe('string')
    const before = fake.registrations
    await collectEvents(adapter.chat(request(), ctx))
    expect(fake.registrations).toBe(before)
  })

  it('concurrent first calls share one device registration', async () => {
    const ctx = makeContext({ credentialId: 77 })
    const before = fake.registrations
    await Promise.all(Array.from({ length: 5 }, () => collectEvents(adapter.chat(request(), ctx))))
    expect(fake.registrations - before).toBe(1)
  })

  it('takes realUserID from registration when the credential lacks it', async () => {
    const ctx = makeContext({ secret: opaque })
    expect(textFrom(await collectEvents(adapter.chat(request(), ctx)))).toBe('收到：你好')
    expect(ctx.state.realUserId).toBe('9000000000000002')
  })

  it('continues a chat with only the newest message and a numeric chat_id', async () => {
    const ctx = makeContext()
    const first = await collectEvents(adapter.chat(request({ messages: [{ role: 'user', content: '第一问' }] }), ctx))
    const conv = first[0] as { id: string; parentId: string }
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: '第一问' },
      { role: 'assistant', content: textFrom(first) },
      { role: 'user', content: '第二问' },
    ]
    const second = await collectEvents(adapter.chat(request({ messages, continueFrom: { conversationId: conv.id } }), ctx))
    expect(fake.sent.at(-1)!.text).toBe('第二问')
    expect(fake.sent.at(-1)!.rawBody).toContain(`"chat_id":${conv.id}`)
    expect(textFrom(second)).toBe('收到：第二问')
    expect(second[0]).toMatchObject({ type: 'conversation', id: conv.id })
  })

  it('folds a fresh history into one prompt', async () => {
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: '一' },
      { role: 'assistant', content: '二' },
      { role: 'user', content: '三' },
    ]
    await collectEvents(adapter.chat(request({ messages }), makeContext()))
    expect(fake.sent.at(-1)!.text).toBe('user: 一\nassistant: 二\nuser: 三')
  })

  it('leaves one-shot clean-up to the core: the adapter deletes nothing itself', async () => {
    const once = await collectEvents(adapter.chat(request(), makeContext({ settings: { multi_turn: false } })))
    expect(fake.deleted).not.toContain((once[0] as { id: string }).id)
    expect(fake.chats.has((once[0] as { id: string }).id)).toBe(true)
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

  it('deleteConversation deletes the chat upstream', async () => {
    const ctx = makeContext()
    const kept = await collectEvents(adapter.chat(request(), ctx))
    const id = (kept[0] as { id: string }).id
    expect(fake.chats.has(id)).toBe(true)
    await adapter.deleteConversation!({ conversationId: id }, ctx)
    expect(fake.chats.has(id)).toBe(false)
    expect(fake.deleted).toContain(id)
  })

  it('stops polling when the client goes away', async () => {
    fake.plan = () => ({ text: '无尽的回答', step: 1, neverFinish: true })
    const abort = new AbortController()
    const ctx = makeContext({ signal: abort.signal, settings: { poll_interval_ms: 20 } })
    let deltas = 0
    await expect(
      (async () => {
        for await (const ev of adapter.chat(request(), ctx)) {
          if (ev.type === 'text' && ++deltas === 3) abort.abort()
        }
      })(),
    ).rejects.toThrow()
    const pollsAtAbort = fake.polls
    await new Promise((r) => setTimeout(r, 150))
    expect(fake.polls).toBe(pollsAtAbort)
  })

  it('gives up after max_polls with a timeout error', async () => {
    fake.plan = () => ({ text: '慢', step: 1, neverFinish: true })
    const ctx = makeContext({ settings: { max_polls: 4 } })
    await expect(collectEvents(adapter.chat(request(), ctx))).rejects.toMatchObject({ kind: 'timeout' })
  })
})

describe('minimax-web agent failures', () => {
  it('an unknown or expired token is credential_invalid, with the site’s 1000021 answer', async () => {
    const forged = `${b64({ alg: 'HS256' })}.${b64({ user: { id: '1' } })}.c2ln`
    const expired = fake.issueToken('9000000000000001', -60)
    for (const secret of [forged, expired])
      await expect(collectEvents(adapter.chat(request(), makeContext({ secret })))).rejects.toMatchObject({
        kind: 'credential_invalid',
        message: expect.stringContaining('1000021'),
      })
  })

  it('a yy the server does not accept is a protocol error, not a dead credential', async () => {
    fake.yySalt = 'moved-on'
    try {
      await expect(collectEvents(adapter.chat(request(), makeContext()))).rejects.toMatchObject({
        kind: 'protocol',
        message: expect.stringContaining('signing'),
      })
    } finally {
      fake.yySalt = 'ooui'
    }
  })

  it('the fake checks x-signature with the fixed secret: the old JWT formula and a tampered one get HTTP 401', async () => {
    const path = '/matrix/api/v1/chat/get_chat_detail'
    const unixMs = Date.now()
    const query = agentQuery({ realUserId: '9000000000000001', deviceId: '1', unixMs, jwt })
    const body = '{"chat_id":1}'
    const call = (ts: number, signature: string) =>
      fetch(`${fake.url}${path}?${query}`, {
        method: 'POST',
        headers: { token: jwt, 'x-timestamp': String(ts), 'x-signature': signature, yy: yySign(path, query, body, unixMs) },
        body,
      })
    const seconds = Math.floor(unixMs / 1000)
    const before = fake.badSignatures
    for (const signature of [md5(`${seconds}${jwt}${body}`), '0'.repeat(32)]) {
      const res = await call(seconds, signature)
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ statusInfo: { code: 1000021, msg: '异常用户访问' } })
    }
    expect(fake.badSignatures).toBe(before + 2)
    // The new formula passes (the unregistered device is what fails next), even a day off: the timestamp itself is not checked.
    for (const ts of [seconds, seconds - 86_400]) {
      const res = await call(ts, xSignature(ts, body))
      expect(await res.json()).toMatchObject({ base_resp: { status_code: 1003 } })
    }
  })

  it('an HTML challenge page is a protocol error naming minimax-web', async () => {
    fake.nextSendFailure = { status: 403, contentType: 'text/html', body: '<html>blocked</html>' }
    await expect(collectEvents(adapter.chat(request(), makeContext()))).rejects.toMatchObject({
      kind: 'protocol',
      message: expect.stringContaining('minimax-web'),
    })
  })

  it('images are refused rather than dropped', async () => {
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] },
    ]
    await expect(collectEvents(adapter.chat(request({ messages }), makeContext()))).rejects.toMatchObject({ kind: 'not_supported' })
  })

  it('probe reports the account, or not ok for a dead token', async () => {
    expect(await adapter.probe!(makeContext())).toEqual({ ok: true, account: '9000000000000001' })
    fake.revokedUsers.add('2')
    const dead = await adapter.probe!(makeContext({ secret: fake.issueToken('2') }))
    expect(dead.ok).toBe(false)
  })
})
