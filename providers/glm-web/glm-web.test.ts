import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest, ProviderAdapter } from '../../src/kit/types.js'
import { startServer } from '../../test/helpers/fake-server.js'
import { makeContext as baseContext, collectEvents, createAdapter, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { FakeGlm, checkSignature, promptOf } from '../../test/fakes/glm-web.js'
import type { GlmSettings } from './constants.js'
import glmWeb, { resolveModel } from './index.js'

const fake = await new FakeGlm().start()
afterAll(() => fake.close())

let adapter: ProviderAdapter<GlmSettings>
beforeEach(() => {
  adapter = createAdapter(glmWeb, fake.url)
  fake.refreshCalls = 0
  fake.streamRequests = []
  fake.plan = (body) => ({ text: `回答：${promptOf(body)}` })
  fake.signSecret = '8a1317a7468aa3ad86e997d08f3f31cb'
})

const makeContext = (o: Parameters<typeof baseContext<GlmSettings>>[0] = { baseUrl: fake.url }) =>
  baseContext<GlmSettings>({ secret: 'rt-good', ...o, baseUrl: fake.url, settings: { ...glmWeb.settings!.parse({}), ...o.settings } })

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'zhipu',
  requestedModel: 'zhipu',
  flags: new Set(),
  messages: [{ role: 'user', content: '你好' }],
  stream: true,
  extra: {},
  ...over,
})

const lastSent = () => fake.streamRequests.at(-1)!

describe('glm-web chat against the fake upstream', () => {
  it('answers a question: conversation first, text, finish; signed, default assistant', async () => {
    const events = await collectEvents(adapter.chat(request(), makeContext()))
    expect(events[0]).toMatchObject({ type: 'conversation', parentId: '65940acff94777010aa6b796' })
    expect(textFrom(events)).toBe('回答：你好')
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    const sent = lastSent()
    expect(sent.body).toMatchObject({ assistant_id: '65940acff94777010aa6b796', conversation_id: '' })
    expect(sent.body.meta_data.chat_mode).toBeUndefined()
    expect(sent.headers['app-name']).toBe('chatglm')
    expect(sent.headers.referer).toBe('https://chatglm.cn/main/alltoolsdetail')
    expect(checkSignature(sent.headers)).toBeUndefined()
  })

  it('-think sends chat_mode zero and passes thinking on as reasoning', async () => {
    fake.plan = (body) => ({ think: `思考：${body.meta_data.chat_mode}`, text: '好' })
    const events = await collectEvents(adapter.chat(request({ flags: new Set(['think']) }), makeContext()))
    expect(lastSent().body.meta_data.chat_mode).toBe('zero')
    expect(reasoningFrom(events)).toBe('思考：zero')
    expect(textFrom(events)).toBe('好')
  })

  it('-deepresearch sends chat_mode deep_research', async () => {
    await collectEvents(adapter.chat(request({ flags: new Set(['deepresearch']) }), makeContext()))
    expect(lastSent().body.meta_data.chat_mode).toBe('deep_research')
  })

  it('a 24-character assistant id as model selects that agent', async () => {
    const agent = '65c046a531d3fcb034918abe'
    expect(resolveModel(agent)).toMatchObject({ id: agent, suffixes: ['think', 'deepresearch'] })
    expect(resolveModel('gpt-4')).toBeUndefined()
    const events = await collectEvents(adapter.chat(request({ model: agent, requestedModel: agent }), makeContext()))
    expect(lastSent().body.assistant_id).toBe(agent)
    expect(lastSent().headers.referer).toBe(`https://chatglm.cn/main/gdetail/${agent}`)
    expect(events[0]).toMatchObject({ type: 'conversation', parentId: agent })
  })

  it('folds history into role blocks for a new conversation', async () => {
    const messages: ChatRequest['messages'] = [
      { role: 'system', content: '简短回答' },
      { role: 'user', content: '一加一' },
      { role: 'assistant', content: '二' },
      { role: 'user', content: '再加一' },
    ]
    await collectEvents(adapter.chat(request({ messages }), makeContext()))
    expect(promptOf(lastSent().body)).toBe('system\n简短回答\n\nuser\n一加一\n\nassistant\n二\n\nuser\n再加一')
  })

  it('continues a conversation with only the newest message (continueFrom)', async () => {
    const ctx = makeContext()
    const first = await collectEvents(adapter.chat(request({ messages: [{ role: 'user', content: '第一问' }] }), ctx))
    const conv = first.find((e) => e.type === 'conversation')!
    if (conv.type !== 'conversation') throw new Error('no conversation')
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: '第一问' },
      { role: 'assistant', content: textFrom(first) },
      { role: 'user', content: '第二问' },
    ]
    const continueFrom = { conversationId: conv.id, parentId: conv.parentId }
    const second = await collectEvents(adapter.chat(request({ messages, continueFrom }), ctx))
    expect(lastSent().body.conversation_id).toBe(conv.id)
    expect(promptOf(lastSent().body)).toBe('第二问')
    expect(fake.conversations.get(conv.id)!.prompts).toEqual(['第一问', '第二问'])
    expect(second[0]).toMatchObject({ type: 'conversation', id: conv.id })
  })

  it('honours an explicit conversation id', async () => {
    const first = await collectEvents(adapter.chat(request({ messages: [{ role: 'user', content: 'a' }] }), makeContext()))
    const id = (first[0] as { id: string }).id
    await collectEvents(adapter.chat(request({ conversationId: id, messages: [{ role: 'user', content: 'b' }] }), makeContext()))
    expect(lastSent().body.conversation_id).toBe(id)
    expect(fake.conversations.get(id)!.prompts).toEqual(['a', 'b'])
  })

  it('leaves one-shot clean-up to the core: the adapter deletes nothing itself', async () => {
    const events = await collectEvents(adapter.chat(request(), makeContext({ baseUrl: fake.url, settings: { multi_turn: false } })))
    expect(fake.conversations.has((events[0] as { id: string }).id)).toBe(true)
    expect(fake.deleted).toHaveLength(0)
  })

  it('deleteConversation removes the conversation upstream, with the agent from parentId', async () => {
    const ctx = makeContext()
    const agent = '65c046a531d3fcb034918abe'
    const events = await collectEvents(adapter.chat(request({ model: agent }), ctx))
    const conv = events[0] as { id: string; parentId: string }
    expect(fake.conversations.get(conv.id)!.assistantId).toBe(agent)
    await adapter.deleteConversation!({ conversationId: conv.id, parentId: conv.parentId }, ctx)
    expect(fake.conversations.has(conv.id)).toBe(false)
    expect(fake.deletedWith.at(-1)).toEqual({ assistant_id: agent, conversation_id: conv.id })
  })

  it('uploads images (data: and http URLs) and references them in the message', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3])
    const host = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' })
      res.end(Buffer.from('jpeg-bytes'))
    })
    try {
      const messages: ChatRequest['messages'] = [
        {
          role: 'user',
          content: [
            { type: 'text', text: '这是什么' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
            { type: 'image_url', image_url: { url: `${host.url}/cat.jpg` } },
          ],
        },
      ]
      const events = await collectEvents(adapter.chat(request({ messages }), makeContext()))
      expect(textFrom(events)).toBe('回答：这是什么')
      const content = lastSent().body.messages[0]!.content
      const images = content.find((c) => c.type === 'image')!.image!
      expect(images).toHaveLength(2)
      expect(images[0]).toMatchObject({ width: 64, height: 48 })
      expect(fake.uploads.get(images[0]!.image_url!)?.bytes.equals(png)).toBe(true)
      expect(fake.uploads.get(images[1]!.image_url!)).toMatchObject({ filename: 'cat.jpg', mime: 'image/jpeg' })
    } finally {
      await host.close()
    }
  })

  it('passes censorship on as content_filter', async () => {
    fake.plan = () => ({ text: '这个', end: 'intervene', interveneText: '无法回答' })
    const events = await collectEvents(adapter.chat(request(), makeContext()))
    expect(textFrom(events)).toBe('这个无法回答')
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'content_filter' })
  })
})

describe('glm-web access tokens', () => {
  it('N concurrent calls share one refresh (single flight)', async () => {
    fake.refreshDelayMs = 150
    const ctx = makeContext()
    const runs = await Promise.all(Array.from({ length: 8 }, () => collectEvents(adapter.chat(request(), ctx))))
    fake.refreshDelayMs = 0
    expect(fake.refreshCalls).toBe(1)
    expect(runs.every((evs) => textFrom(evs) === '回答：你好')).toBe(true)
  })

  it('reuses the cached access token, and refreshes once when GLM revokes it', async () => {
    const ctx = makeContext()
    await collectEvents(adapter.chat(request(), ctx))
    await collectEvents(adapter.chat(request(), ctx))
    expect(fake.refreshCalls).toBe(1)
    fake.revokeAccessTokens()
    const events = await collectEvents(adapter.chat(request(), ctx))
    expect(textFrom(events)).toBe('回答：你好')
    expect(fake.refreshCalls).toBe(2)
  })

  it('keeps a rotated refresh token for the next refresh', async () => {
    fake.refreshTokens.set('rt-rotating', 'user-9')
    fake.rotate = true
    try {
      const ctx = makeContext({ baseUrl: fake.url, secret: 'rt-rotating' })
      await collectEvents(adapter.chat(request(), ctx))
      expect(ctx.state.refreshToken).not.toBe('rt-rotating')
      fake.revokeAccessTokens()
      expect(textFrom(await collectEvents(adapter.chat(request(), ctx)))).toBe('回答：你好')
    } finally {
      fake.rotate = false
    }
  })

  it('an expired refresh token (40102) or an unknown one is credential_invalid before any event', async () => {
    for (const secret of ['rt-expired', 'rt-unknown']) {
      await expect(collectEvents(adapter.chat(request(), makeContext({ baseUrl: fake.url, secret })))).rejects.toMatchObject({
        kind: 'credential_invalid',
      })
    }
  })
})

describe('glm-web upstream failures', () => {
  it('a rejected signature is a protocol error, not a dead credential', async () => {
    fake.signSecret = 'rotated-secret'
    await expect(collectEvents(adapter.chat(request(), makeContext()))).rejects.toMatchObject({
      kind: 'protocol',
      message: expect.stringContaining('X-Sign'),
    })
  })

  it('an HTML page instead of the stream is a protocol error naming glm-web', async () => {
    const ctx = makeContext()
    await adapter.probe!(ctx)
    fake.nextStreamFailure = { status: 200, contentType: 'text/html', body: '<html>challenge</html>' }
    await expect(collectEvents(adapter.chat(request(), ctx))).rejects.toMatchObject({
      kind: 'protocol',
      message: expect.stringContaining('glm-web'),
    })
  })

  it('a JSON envelope saying "too frequent" is rate_limited', async () => {
    fake.nextStreamFailure = { status: 200, contentType: 'application/json', body: JSON.stringify({ code: 10030, message: '请求过于频繁' }) }
    await expect(collectEvents(adapter.chat(request(), makeContext()))).rejects.toMatchObject({ kind: 'rate_limited' })
  })

  it('aborting closes the upstream connection', async () => {
    fake.clientClosedEarly = false
    fake.plan = () => ({ text: '长'.repeat(400), step: 1, delayMs: 10 })
    const abort = new AbortController()
    const ctx = makeContext({ baseUrl: fake.url, signal: abort.signal })
    const seen: string[] = []
    await expect(
      (async () => {
        for await (const ev of adapter.chat(request(), ctx)) {
          if (ev.type === 'text') seen.push(ev.text)
          if (seen.length === 3) abort.abort()
        }
      })(),
    ).rejects.toThrow()
    await new Promise((r) => setTimeout(r, 100))
    expect(fake.clientClosedEarly).toBe(true)
    expect(seen.length).toBeLessThan(400)
  })
})

describe('glm-web probe', () => {
  it('reports the account of a live refresh token', async () => {
    expect(await adapter.probe!(makeContext())).toEqual({ ok: true, account: 'user-1' })
  })
  it('reports an expired refresh token as not ok', async () => {
    const health = await adapter.probe!(makeContext({ baseUrl: fake.url, secret: 'rt-expired' }))
    expect(health.ok).toBe(false)
    expect(health.reason).toMatch(/40102/)
  })
})
