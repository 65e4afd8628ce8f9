// The adapter against the fake www.kimi.com Connect upstream, with the Aug 2026 login model (a
// rotating refresh token) unless a test says otherwise; the renewal itself is in session.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { encodeConnectFrame, readConnectMessages } from '../../src/kit/connect.js'
import type { ChatRequest, DeltaEvent, ProviderAdapter } from '../../src/kit/types.js'
import { type FakeKimi, makeKimiJwt, startFakeKimi } from '../../test/fakes/kimi-web.js'
import { collectEvents, createAdapter, makeContext, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { connectHeaders } from './client.js'
import { claimsOf } from './credential.js'
import kimiWeb, { type KimiSettings } from './index.js'
import { KimiConnectParser } from './parse.js'

let fake: FakeKimi
let token: string
let shared: ProviderAdapter<KimiSettings>
beforeAll(async () => {
  fake = await startFakeKimi()
  token = fake.auth.login({ sub: 'user-7', ssid: '1730000000000000007', device_id: '7300000000000000007' }).refreshToken
  // One adapter for the file: its memory holds the rotated chain, as the running relay's does.
  shared = createAdapter(kimiWeb, fake.url, { auth_url: fake.url })
})
afterAll(() => fake.close())
beforeEach(() => {
  fake.requests.length = 0
  fake.endStyle = 'all'
  fake.failNext = undefined
  fake.stall = false
  fake.answer = ['答案', '是 42']
})

const oldCookie = makeKimiJwt({ sub: 'user-7' })
const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'kimi',
  requestedModel: 'kimi',
  flags: new Set(),
  messages: [{ role: 'user', content: '1+1=' }],
  stream: true,
  extra: {},
  ...over,
})
const adapter = () => shared
const ctx = (over: Parameters<typeof makeContext<KimiSettings>>[0] = { baseUrl: '' }) =>
  makeContext<KimiSettings>({ secret: token, settings: { scenario: 'SCENARIO_K2D5', legacy_base_url: '', auth_url: fake.url }, ...over, baseUrl: fake.url })
const oldAccess = { token: oldCookie, cookie: true, identity: claimsOf(oldCookie), refreshable: false }
interface SentPayload {
  chat_id?: string
  scenario: string
  tools: unknown[]
  project_id?: string
  options: { thinking: boolean; reasoning_effort?: string }
  message: { parent_id?: string; is_goal?: boolean; blocks: [{ text: { content: string } }] }
}
const lastPayload = () => fake.requests.at(-1)!.payload as unknown as SentPayload
const kindOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: { kind?: string }) => e.kind ?? String(e))

describe('kimi-web Connect chat', () => {
  it('answers a first turn with no chat_id / parent_id and Connect + JWT headers', async () => {
    const events = await collectEvents(adapter().chat(request(), ctx()))
    expect(textFrom(events)).toBe('答案是 42')
    const payload = lastPayload()
    expect(payload.chat_id).toBeUndefined()
    expect(payload.message.parent_id).toBeUndefined()
    expect(payload).toMatchObject({ scenario: 'SCENARIO_K2D5', options: { thinking: false }, tools: [], project_id: '' })
    expect(payload.options.reasoning_effort).toBeUndefined()
    expect(payload.message.is_goal).toBe(false)
    expect(payload.message.blocks[0].text.content).toBe('1+1=')
    const headers = fake.requests.at(-1)!.headers
    // The new access token has no device_id: the ids come from the refresh token's claims.
    expect(headers).toMatchObject({ 'x-traffic-id': 'user-7', 'x-msh-device-id': '7300000000000000007', 'x-msh-session-id': '1730000000000000007' })
    expect(headers).toMatchObject({ 'connect-protocol-version': '1', 'x-msh-platform': 'web', 'x-msh-version': '2.0.0' })
    expect(headers.cookie).toBeUndefined() // new logins have no kimi-auth cookie
    expect(claimsOf(String(headers.authorization).slice(7))).toMatchObject({ iss: 'account-nt' })
    expect(events[0]).toMatchObject({ type: 'conversation' })
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('kimi-thinking sends options.thinking with a reasoning_effort and emits reasoning', async () => {
    const events = await collectEvents(adapter().chat(request({ model: 'kimi-thinking' }), ctx()))
    expect(lastPayload().options).toEqual({ thinking: true, reasoning_effort: 'REASONING_EFFORT_HIGH' })
    expect(reasoningFrom(events)).toBe('用户问了一个问题')
    expect(textFrom(events)).toBe('答案是 42')
  })

  it('maps the client’s reasoning effort and the -thinking flag to options.reasoning_effort', async () => {
    const cases: [Partial<ChatRequest>, { thinking: boolean; reasoning_effort?: string }][] = [
      [{ flags: new Set(['thinking']) }, { thinking: true, reasoning_effort: 'REASONING_EFFORT_HIGH' }],
      [{ reasoning: { effort: 'low' } }, { thinking: true, reasoning_effort: 'REASONING_EFFORT_LOW' }],
      [{ reasoning: { effort: 'minimal' } }, { thinking: true, reasoning_effort: 'REASONING_EFFORT_LOW' }],
      [{ reasoning: { effort: 'medium' } }, { thinking: true, reasoning_effort: 'REASONING_EFFORT_MEDIUM' }],
      [{ model: 'kimi-thinking', reasoning: { effort: 'high' } }, { thinking: true, reasoning_effort: 'REASONING_EFFORT_HIGH' }],
      [{ model: 'kimi-thinking', reasoning: { effort: 'none' } }, { thinking: false }],
      [{ reasoning: { budgetTokens: 2048 } }, { thinking: true, reasoning_effort: 'REASONING_EFFORT_HIGH' }],
    ]
    for (const [over, options] of cases) {
      const events = await collectEvents(adapter().chat(request(over), ctx()))
      expect(lastPayload().options).toEqual(options)
      expect(reasoningFrom(events) !== '').toBe(options.thinking)
    }
  })

  it('the fake refuses an unknown reasoning_effort value as invalid_argument', async () => {
    const c = ctx({ baseUrl: '', secret: oldCookie })
    const res = await c.http.request(`${fake.url}/apiv2/kimi.gateway.chat.v1.ChatService/Chat`, {
      method: 'POST',
      headers: connectHeaders(oldAccess, 'application/connect+json'),
      body: encodeConnectFrame({ scenario: 'SCENARIO_K2D5', message: { role: 'user', blocks: [{ text: { content: 'hi' } }] }, options: { thinking: true, reasoning_effort: 'high' } }),
    })
    const parser = new KimiConnectParser()
    const run = async () => {
      for await (const msg of readConnectMessages(res.body)) parser.push(msg)
    }
    expect(await kindOf(run())).toBe('invalid_request')
  })

  it('an old kimi-auth cookie JWT still works until its exp, sent as Bearer and cookie', async () => {
    const events = await collectEvents(adapter().chat(request(), ctx({ baseUrl: '', secret: `kimi-auth=${oldCookie}` })))
    expect(textFrom(events)).toBe('答案是 42')
    const headers = fake.requests.at(-1)!.headers
    expect(headers).toMatchObject({ authorization: `Bearer ${oldCookie}`, cookie: `kimi-auth=${oldCookie}`, 'x-msh-device-id': '7300000000000000001' })
  })

  it('kimi-search adds the search tool, turns sources into citations and strips markers unless cite', async () => {
    const events = await collectEvents(adapter().chat(request({ model: 'kimi-search' }), ctx()))
    expect(lastPayload().tools).toEqual([{ type: 'TOOL_TYPE_SEARCH', search: {} }])
    expect(textFrom(events)).toBe('答案是 42')
    const cites = events.find((e) => e.type === 'citations') as Extract<DeltaEvent, { type: 'citations' }>
    expect(cites.items.map((c) => c.url)).toEqual(['https://weather.example/bj', 'https://forecast.example/'])
    const kept = await collectEvents(adapter().chat(request({ model: 'kimi-search', flags: new Set(['cite']) }), ctx()))
    expect(textFrom(kept)).toContain('\ue3a0cite')
  })

  for (const style of ['status', 'done', 'trailer'] as const) {
    it(`finishes when the stream ends by ${style} only`, async () => {
      fake.endStyle = style
      const events = await collectEvents(adapter().chat(request(), ctx()))
      expect(textFrom(events)).toBe('答案是 42')
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    })
  }

  it('continues a conversation: only the newest message, chat_id (a UUID) and parent_id threaded', async () => {
    const first = await collectEvents(adapter().chat(request(), ctx()))
    const conv = first.find((e) => e.type === 'conversation') as Extract<DeltaEvent, { type: 'conversation' }>
    expect(conv.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(conv.parentId).toBeTruthy()
    const history = request({
      messages: [
        { role: 'user', content: '1+1=' },
        { role: 'assistant', content: '答案是 42' },
        { role: 'user', content: '再算 2+2' },
      ],
      continueFrom: { conversationId: conv.id, parentId: conv.parentId! },
    })
    const second = await collectEvents(adapter().chat(history, ctx()))
    expect(lastPayload().chat_id).toBe(conv.id)
    expect(lastPayload().message.parent_id).toBe(conv.parentId)
    expect(lastPayload().message.blocks[0].text.content).toBe('再算 2+2')
    const conv2 = second.find((e) => e.type === 'conversation') as Extract<DeltaEvent, { type: 'conversation' }>
    expect(conv2.id).toBe(conv.id)
    expect(conv2.parentId).not.toBe(conv.parentId)
  })

  it('folds the history into one prompt when starting fresh', async () => {
    const messages = [
      { role: 'system' as const, content: '简短回答' },
      { role: 'user' as const, content: '你好' },
      { role: 'assistant' as const, content: '你好！' },
      { role: 'user' as const, content: '1+1=' },
    ]
    await collectEvents(adapter().chat(request({ messages }), ctx()))
    expect(lastPayload().message.blocks[0].text.content).toBe('system: 简短回答\nuser: 你好\nassistant: 你好！\n关注用户最新的消息\nuser: 1+1=')
  })

  it('honours an explicit conversation id with the remembered parent', async () => {
    const c = ctx()
    const first = await collectEvents(adapter().chat(request(), c))
    const conv = first.find((e) => e.type === 'conversation') as Extract<DeltaEvent, { type: 'conversation' }>
    await collectEvents(adapter().chat(request({ conversationId: conv.id, messages: [{ role: 'user', content: '接着说' }] }), c))
    expect(lastPayload().chat_id).toBe(conv.id)
    expect(lastPayload().message.parent_id).toBe(conv.parentId)
  })

  it('deleteConversation removes the chat upstream (the core calls it for one-shot chats)', async () => {
    const events = await collectEvents(adapter().chat(request(), ctx()))
    const conv = events.find((e) => e.type === 'conversation') as Extract<DeltaEvent, { type: 'conversation' }>
    await adapter().deleteConversation!({ conversationId: conv.id }, ctx())
    expect(fake.deleted).toContain(conv.id)
    expect(await kindOf(adapter().deleteConversation!({ conversationId: conv.id }, ctx()))).toBe('invalid_request')
  })

  it('starts a new chat for a named conversation whose parent this credential does not know', async () => {
    const known = await collectEvents(adapter().chat(request(), ctx()))
    const id = (known.find((e) => e.type === 'conversation') as { id: string }).id
    const events = await collectEvents(adapter().chat(request({ conversationId: id }), ctx()))
    expect(textFrom(events)).toBe('答案是 42')
    expect(lastPayload().chat_id).toBeUndefined()
  })

  it('leaves one-shot clean-up to the core: the adapter deletes nothing itself', async () => {
    const settings = { scenario: 'SCENARIO_K2D5', legacy_base_url: '', auth_url: fake.url, multi_turn: false, keep_conversations: false }
    const events = await collectEvents(adapter().chat(request(), ctx({ baseUrl: '', settings })))
    const conv = events.find((e) => e.type === 'conversation') as Extract<DeltaEvent, { type: 'conversation' }>
    expect(fake.deleted).not.toContain(conv.id)
  })

  it('refuses images with a clear not_supported error instead of dropping them', async () => {
    const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: '这是什么' }, { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,AAAA' } }] }]
    const err = await collectEvents(adapter().chat(request({ model: 'kimi-vision', messages }), ctx())).catch((e: Error & { kind: string }) => e)
    expect(err).toMatchObject({ kind: 'not_supported' })
    expect((err as Error).message).toMatch(/image/)
    expect(fake.requests).toHaveLength(0)
  })
})

describe('kimi-web Connect failures', () => {
  it('the fake rejects a bare-JSON request with invalid_argument, classified as invalid_request', async () => {
    const c = ctx()
    const res = await c.http.request(`${fake.url}/apiv2/kimi.gateway.chat.v1.ChatService/Chat`, {
      method: 'POST',
      headers: connectHeaders(oldAccess, 'application/connect+json'),
      body: JSON.stringify({ scenario: 'SCENARIO_K2D5', message: { role: 'user', blocks: [] } }),
    })
    const parser = new KimiConnectParser()
    const run = async () => {
      for await (const msg of readConnectMessages(res.body)) parser.push(msg)
    }
    expect(await kindOf(run())).toBe('invalid_request')
  })

  it('the fake accepts the same payload when it is Connect-framed', async () => {
    const c = ctx()
    const res = await c.http.request(`${fake.url}/apiv2/kimi.gateway.chat.v1.ChatService/Chat`, {
      method: 'POST',
      headers: connectHeaders(oldAccess, 'application/connect+json'),
      body: encodeConnectFrame({ scenario: 'SCENARIO_K2D5', message: { role: 'user', blocks: [{ text: { content: 'hi' } }] } }),
    })
    const parser = new KimiConnectParser()
    for await (const msg of readConnectMessages(res.body)) parser.push(msg)
    expect(parser.completed).toBe(true)
  })

  it('a bad token is unauthenticated → credential_invalid, both as HTTP 401 and as an error trailer', async () => {
    const forged = `${oldCookie.slice(0, -4)}AAAA`
    expect(await kindOf(collectEvents(adapter().chat(request(), ctx({ baseUrl: '', secret: forged }))))).toBe('credential_invalid')
    fake.failNext = 'trailer_auth'
    expect(await kindOf(collectEvents(adapter().chat(request(), ctx({ baseUrl: '', secret: forged }))))).toBe('credential_invalid')
  })

  it('an expired token fails before any request', async () => {
    const expired = makeKimiJwt({ exp: Math.floor(Date.now() / 1000) - 60 })
    expect(await kindOf(collectEvents(adapter().chat(request(), ctx({ baseUrl: '', secret: expired }))))).toBe('credential_invalid')
    expect(fake.requests).toHaveLength(0)
  })

  it('classifies rate limits, HTML pages, JSON envelopes and stale parents', async () => {
    fake.failNext = 'rate_limit'
    expect(await kindOf(collectEvents(adapter().chat(request(), ctx())))).toBe('rate_limited')
    fake.failNext = 'html'
    const html = await collectEvents(adapter().chat(request(), ctx())).catch((e: Error & { kind: string }) => e)
    expect(html).toMatchObject({ kind: 'protocol' })
    expect((html as Error).message).toMatch(/kimi-web.*HTML/)
    fake.failNext = 'json_envelope'
    expect(await kindOf(collectEvents(adapter().chat(request(), ctx())))).toBe('protocol')
    const stale = request({ continueFrom: { conversationId: 'chat-unknown', parentId: 'm-1' } })
    expect(await kindOf(collectEvents(adapter().chat(stale, ctx())))).toBe('invalid_request')
  })

  it('an error frame after the answer started surfaces as a typed error after the text', async () => {
    fake.failNext = 'error_frame'
    const seen: DeltaEvent[] = []
    const run = async () => {
      for await (const e of adapter().chat(request(), ctx())) seen.push(e)
    }
    expect(await kindOf(run())).toBe('unavailable')
    expect(textFrom(seen)).toBe('答案是 42')
  })

  it('aborting closes the upstream connection', async () => {
    fake.stall = true
    const before = fake.closedEarly
    const controller = new AbortController()
    const run = async () => {
      for await (const e of adapter().chat(request(), ctx({ baseUrl: '', signal: controller.signal }))) if (e.type === 'text') controller.abort()
    }
    await expect(run()).rejects.toThrow()
    await expect.poll(() => fake.closedEarly).toBe(before + 1)
  })
})

describe('kimi-web probe', () => {
  it('reports the account for a live token and the reason for a dead one', async () => {
    expect(await adapter().probe!(ctx())).toEqual({ ok: true, account: 'user-7' })
    expect(await adapter().probe!(ctx({ baseUrl: '', secret: oldCookie }))).toEqual({ ok: true, account: 'user-7' })
    fake.revokedSubs.add('user-dead')
    const dead = await adapter().probe!(ctx({ baseUrl: '', secret: makeKimiJwt({ sub: 'user-dead' }) }))
    expect(dead.ok).toBe(false)
    expect(dead.reason).toMatch(/unauthenticated/)
  })
})
