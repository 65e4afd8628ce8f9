import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChatMessage, ChatRequest } from '../../src/kit/types.js'
import { collectEvents, createAdapter, makeContext, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import {
  DOLA_BOT_ID,
  DOUBAO_USER,
  type DoubaoFake,
  SEARCH_SOURCES,
  THINKING_TEXT,
  answerFor,
  startDoubaoFake,
} from '../../test/fakes/doubao-web.js'
import doubao, { settingsSchema } from './index.js'
import { errorFromReply } from './errors.js'

let fake: DoubaoFake
beforeAll(async () => {
  fake = await startDoubaoFake()
})
afterAll(() => fake.close())
afterEach(() => {
  fake.scenario = 'answer'
  fake.calls.length = 0
})

const user = (content: string): ChatMessage => ({ role: 'user', content })
function request(model: string, messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model, requestedModel: model, flags: new Set(), messages, stream: true, extra: {}, ...extra }
}

function setup(options: { secret?: string; settings?: Record<string, unknown>; signal?: AbortSignal } = {}) {
  const settings = { ...settingsSchema.parse(options.settings ?? {}), ...options.settings }
  const adapter = createAdapter(doubao, fake.url, settings)
  const ctx = makeContext({
    baseUrl: fake.url,
    secret: adapter.normalizeSecret!(options.secret ?? 'sid-valid-1'),
    settings,
    ...(options.signal ? { signal: options.signal } : {}),
  })
  return { adapter, ctx }
}

const chatCalls = () => fake.calls.filter((c) => c.path.endsWith('/chat/completion'))

describe('doubao-web on /chat/completion', () => {
  it('answers, announces the conversation first, and sends only what the credential carries', async () => {
    const { adapter, ctx } = setup()
    const events = await collectEvents(adapter.chat(request('doubao', [user('你好')]), ctx))
    expect(events[0]).toMatchObject({ type: 'conversation', id: expect.stringMatching(/^\d{17,}$/) })
    expect(textFrom(events)).toBe(answerFor('你好', 1))
    expect(reasoningFrom(events)).toBe('')
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    const call = chatCalls()[0]!
    expect(call.query.has('a_bogus')).toBe(false)
    expect(call.query.has('msToken')).toBe(false)
    expect(call.body).toMatchObject({ option: { need_deep_think: 0, need_create_conversation: true } })
    expect(ctx.state).toMatchObject({ deviceId: call.query.get('device_id'), webId: call.query.get('web_id'), fp: call.query.get('fp') })
  })

  it('keeps the device identity across calls and forwards a real msToken and CSRF token', async () => {
    const { adapter, ctx } = setup({ secret: 'sessionid=sid-valid-1; msToken=real-ms-token; passport_csrf_token=csrf123; s_v_web_id=verify_real' })
    await collectEvents(adapter.chat(request('doubao', [user('一')]), ctx))
    await collectEvents(adapter.chat(request('doubao', [user('二')]), ctx))
    const [a, b] = chatCalls()
    expect(a!.query.get('device_id')).toBe(b!.query.get('device_id'))
    expect(a!.query.get('msToken')).toBe('real-ms-token')
    expect(a!.query.get('fp')).toBe('verify_real')
    expect(a!.headers['x-tt-passport-csrf-token']).toBe('csrf123')
  })

  it.each([
    ['doubao-think', [], 1],
    ['doubao-expert', [], 3],
    ['doubao-pro', ['thinking'], 1],
    ['doubao-think', ['nothinking'], 0],
  ] as const)('%s with flags %j thinks at level %i', async (model, flags, level) => {
    const { adapter, ctx } = setup()
    const events = await collectEvents(adapter.chat(request(model, [user('想一想')], { flags: new Set(flags) }), ctx))
    expect(chatCalls()[0]!.body).toMatchObject({ option: { need_deep_think: level }, ext: { use_deep_think: String(level) } })
    expect(reasoningFrom(events)).toBe(level ? THINKING_TEXT : '')
    expect(textFrom(events)).toBe(answerFor('想一想', 1))
  })

  it('turns a search-result block into citations', async () => {
    fake.scenario = 'search'
    const { adapter, ctx } = setup()
    const events = await collectEvents(adapter.chat(request('doubao', [user('北京天气')]), ctx))
    expect(events.filter((e) => e.type === 'citations').flatMap((e) => (e.type === 'citations' ? e.items : []))).toEqual(SEARCH_SOURCES)
  })

  it('reads text carried by STREAM_CHUNK patch ops', async () => {
    fake.scenario = 'patch'
    const { adapter, ctx } = setup()
    expect(textFrom(await collectEvents(adapter.chat(request('doubao', [user('补丁')]), ctx)))).toBe(answerFor('补丁', 1))
  })

  it('folds a new history into one ChatML-style prompt', async () => {
    const { adapter, ctx } = setup()
    const history: ChatMessage[] = [
      { role: 'system', content: '你是助手' },
      user('第一问'),
      { role: 'assistant', content: '第一答' },
      user('第二问'),
    ]
    await collectEvents(adapter.chat(request('doubao', history), ctx))
    const sent = (chatCalls()[0]!.body as { messages: { content_block: { content: { text_block: { text: string } } }[] }[] }).messages[0]!
    expect(sent.content_block[0]!.content.text_block.text).toBe(
      '<|im_start|>system\n你是助手\n<|im_start|>user\n第一问\n<|im_start|>assistant\n第一答\n<|im_start|>user\n第二问\n<|im_end|>',
    )
  })

  it('continues a conversation with only the newest message and the section id', async () => {
    const { adapter, ctx } = setup()
    const first = await collectEvents(adapter.chat(request('doubao', [user('第一问')]), ctx))
    const conv = first[0]
    if (conv?.type !== 'conversation') throw new Error('no conversation event')
    const history = [user('第一问'), { role: 'assistant' as const, content: textFrom(first) }, user('第二问')]
    const continueFrom = { conversationId: conv.id, parentId: conv.parentId! }
    const second = await collectEvents(adapter.chat(request('doubao', history, { continueFrom }), ctx))
    expect(second[0]).toEqual({ type: 'conversation', id: conv.id, parentId: conv.parentId })
    expect(textFrom(second)).toBe(answerFor('第二问', 2))
    expect(chatCalls()[1]!.body).toMatchObject({
      client_meta: { conversation_id: conv.id, last_section_id: conv.parentId },
      option: { need_create_conversation: false },
    })
  })

  it('honours an explicit conversation id from the client', async () => {
    const { adapter, ctx } = setup()
    const first = await collectEvents(adapter.chat(request('doubao', [user('甲')]), ctx))
    const id = (first[0] as { id: string }).id
    const second = await collectEvents(adapter.chat(request('doubao', [user('乙')], { conversationId: id }), ctx))
    expect(textFrom(second)).toBe(answerFor('乙', 2))
  })

  it('rejects image input instead of silently dropping it', async () => {
    const { adapter, ctx } = setup()
    const msg: ChatMessage = { role: 'user', content: [{ type: 'text', text: '看图' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }
    await expect(collectEvents(adapter.chat(request('doubao', [msg]), ctx))).rejects.toMatchObject({ kind: 'not_supported' })
  })
})

describe('doubao-web failures', () => {
  it('an expired session is an invalid credential, before any event', async () => {
    const { adapter, ctx } = setup({ secret: 'sessionid=sid-expired' })
    await expect(collectEvents(adapter.chat(request('doubao', [user('hi')]), ctx))).rejects.toMatchObject({ kind: 'credential_invalid' })
  })

  it('the fake enforces the CSRF header, and its 403 reply is an invalid credential', async () => {
    const res = await fetch(`${fake.url}/chat/completion?aid=582478`, {
      method: 'POST',
      headers: { cookie: 'sessionid=sid-valid-1; passport_csrf_token=b', 'x-tt-passport-csrf-token': 'zzz' },
      body: '{}',
    })
    expect(res.status).toBe(403)
    expect(errorFromReply(res.status, await res.text()).kind).toBe('credential_invalid')
  })

  it('a forged a_bogus is refused by the fake (so the adapter never sends one)', async () => {
    const res = await fetch(`${fake.url}/chat/completion?a_bogus=mf-forged`, { method: 'POST', headers: { cookie: 'sessionid=sid-valid-1' }, body: '{}' })
    expect(await res.json()).toMatchObject({ msg: 'a_bogus verify failed' })
  })

  it('a plain "too frequent" STREAM_ERROR is a rate limit with the pool\'s own back-off', async () => {
    fake.scenario = 'rate-limit'
    const { adapter, ctx } = setup()
    await expect(collectEvents(adapter.chat(request('doubao', [user('hi')]), ctx))).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: undefined,
    })
  })

  it('STREAM_ERROR 710022004 (the slider captcha) is "verification required": the credential rests and the message says why', async () => {
    fake.scenario = 'captcha'
    const { adapter, ctx } = setup()
    const err = await collectEvents(adapter.chat(request('doubao', [user('hi')]), ctx)).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30 * 60_000 })
    expect((err as Error).message).toMatch(/^doubao-web: verification required: the site asks for a slider captcha \(code 710022004\)/)
  })

  it('an HTML challenge page is a protocol error naming the provider', async () => {
    fake.scenario = 'challenge'
    const { adapter, ctx } = setup()
    await expect(collectEvents(adapter.chat(request('doubao', [user('hi')]), ctx))).rejects.toMatchObject({
      kind: 'protocol',
      message: expect.stringContaining('doubao-web'),
    })
  })

  it('a content-filter stop ends with finish_reason content_filter', async () => {
    fake.scenario = 'filter'
    const { adapter, ctx } = setup()
    const events = await collectEvents(adapter.chat(request('doubao', [user('敏感')]), ctx))
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'content_filter' })
  })

  it('closes the upstream connection when the client aborts', async () => {
    fake.scenario = 'slow'
    const controller = new AbortController()
    const { adapter, ctx } = setup({ signal: controller.signal })
    const before = fake.aborted
    const seen: string[] = []
    await expect(
      (async () => {
        for await (const ev of adapter.chat(request('doubao', [user('慢')]), ctx)) {
          seen.push(ev.type)
          if (ev.type === 'text') controller.abort()
        }
      })(),
    ).rejects.toThrow()
    expect(seen).toEqual(['conversation', 'text'])
    await expect.poll(() => fake.aborted).toBe(before + 1)
  })
})

describe('doubao-web legacy samantha protocol', () => {
  const legacy = { protocol: 'samantha' }

  it('answers and continues through conversation_id + section_id', async () => {
    const { adapter, ctx } = setup({ settings: legacy })
    const first = await collectEvents(adapter.chat(request('doubao', [user('你好')]), ctx))
    expect(textFrom(first)).toBe(answerFor('你好', 1))
    const conv = first[0] as { type: string; id: string; parentId: string }
    expect(conv.type).toBe('conversation')
    const continueFrom = { conversationId: conv.id, parentId: conv.parentId }
    const history = [user('你好'), { role: 'assistant' as const, content: textFrom(first) }, user('再见')]
    const second = await collectEvents(adapter.chat(request('doubao', history, { continueFrom }), ctx))
    expect(textFrom(second)).toBe(answerFor('再见', 2))
    const call = fake.calls.filter((c) => c.path === '/samantha/chat/completion')[1]!
    expect(call.body).toMatchObject({ conversation_id: conv.id, section_id: conv.parentId, completion_option: { need_create_conversation: false } })
    expect(JSON.parse((call.body as { messages: { content: string }[] }).messages[0]!.content)).toEqual({ text: '再见' })
    expect(call.query.has('a_bogus') || call.query.has('msToken')).toBe(false)
  })

  it('a non-zero code inside the stream is classified', async () => {
    fake.scenario = 'rate-limit'
    const { adapter, ctx } = setup({ settings: legacy })
    await expect(collectEvents(adapter.chat(request('doubao', [user('hi')]), ctx))).rejects.toMatchObject({ kind: 'rate_limited' })
  })

  it('event 2005 with the slider decision is "verification required"', async () => {
    fake.scenario = 'captcha'
    const { adapter, ctx } = setup({ settings: legacy })
    await expect(collectEvents(adapter.chat(request('doubao', [user('hi')]), ctx))).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 30 * 60_000,
      message: expect.stringMatching(/verification required/),
    })
  })
})

describe('doubao-web with site: dola (www.dola.com)', () => {
  const dola = { site: 'dola' }

  it('sends Dola\'s query, headers and body, and reads its named events', async () => {
    const { adapter, ctx } = setup({ settings: dola })
    const events = await collectEvents(adapter.chat(request('doubao-think', [user('你好')]), ctx))
    expect(events[0]).toMatchObject({ type: 'conversation', id: expect.stringMatching(/^\d{17,}$/) })
    expect(reasoningFrom(events)).toBe(THINKING_TEXT)
    expect(textFrom(events)).toBe(answerFor('你好', 1))
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    const call = chatCalls()[0]!
    expect(Object.fromEntries(call.query)).toMatchObject({ aid: '495671', channel: 'g', language: 'zh-Hant', region: 'JP', web_platform: 'browser' })
    expect(call.query.has('device_id')).toBe(false)
    expect(call.headers['agw-js-conv']).toBe('str, str')
    expect(call.body).toMatchObject({
      client_meta: { bot_id: DOLA_BOT_ID },
      option: { need_deep_think: 1, is_user_chat_input: true, recovery_option: { is_recovery: false } },
      chat_ability: { ability_type: 0 },
    })
  })

  it('continues the conversation it announced', async () => {
    const { adapter, ctx } = setup({ settings: dola })
    const first = await collectEvents(adapter.chat(request('doubao', [user('一')]), ctx))
    const conv = first[0] as { id: string; parentId: string }
    const history = [user('一'), { role: 'assistant' as const, content: textFrom(first) }, user('二')]
    const second = await collectEvents(adapter.chat(request('doubao', history, { continueFrom: { conversationId: conv.id, parentId: conv.parentId } }), ctx))
    expect(textFrom(second)).toBe(answerFor('二', 2))
    expect(reasoningFrom(second)).toBe('')
  })

  it('the captcha demand is "verification required" on Dola too', async () => {
    fake.scenario = 'captcha'
    const { adapter, ctx } = setup({ settings: dola })
    await expect(collectEvents(adapter.chat(request('doubao', [user('hi')]), ctx))).rejects.toMatchObject({
      message: expect.stringMatching(/verification required/),
    })
  })

  it('the fake refuses doubao.com\'s shape on Dola\'s app id', async () => {
    const { adapter, ctx } = setup({ settings: { site: 'dola', bot_id: '7338286299411103781' } })
    await expect(collectEvents(adapter.chat(request('doubao', [user('hi')]), ctx))).rejects.toMatchObject({ message: expect.stringMatching(/bot/) })
  })

  it('has no samantha protocol', () => {
    expect(() => settingsSchema.parse({ site: 'dola', protocol: 'samantha' })).toThrow(/no samantha protocol/)
  })
})

describe('doubao-web probe, delete and secrets', () => {
  it('probes the account', async () => {
    expect(await setup().adapter.probe!(setup().ctx)).toEqual({ ok: true, account: DOUBAO_USER.name })
    const dead = setup({ secret: 'sid-gone' })
    expect(await dead.adapter.probe!(dead.ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('session expired') })
  })

  it('deleteConversation removes the thread; a foreign one fails', async () => {
    const { adapter, ctx } = setup()
    const events = await collectEvents(adapter.chat(request('doubao', [user('删我')]), ctx))
    const id = (events[0] as { id: string }).id
    await adapter.deleteConversation!({ conversationId: id }, ctx)
    expect(fake.conversations.has(id)).toBe(false)
    await expect(adapter.deleteConversation!({ conversationId: id }, ctx)).rejects.toMatchObject({ message: expect.stringMatching(/banned/) })
  })

  it.each([
    ['bare value', 'abc123', 'sessionid=abc123'],
    ['name=value', 'sessionid=abc123', 'sessionid=abc123'],
    ['cookie header with prefix', 'Cookie: ttwid=1%7Cx; sessionid=abc123; msToken=m', 'ttwid=1%7Cx; sessionid=abc123; msToken=m'],
    ['sid_guard only', 'sid_guard=abc123%7C1700000000%7C5184000%7CSun', 'sid_guard=abc123%7C1700000000%7C5184000%7CSun; sessionid=abc123'],
    ['JSON map', '{"sessionid":"abc123","ttwid":"t"}', 'sessionid=abc123; ttwid=t'],
    ['JSON cookie export', '[{"name":"sessionid","value":"abc123","domain":".doubao.com"}]', 'sessionid=abc123'],
    ['JSON-quoted value', '"abc123"', 'sessionid=abc123'],
    ['bearer', 'Bearer abc123', 'sessionid=abc123'],
  ])('normalizeSecret accepts a %s', (_label, raw, expected) => {
    expect(setup().adapter.normalizeSecret!(raw)).toBe(expected)
  })

  it('normalizeSecret refuses a cookie without a session', () => {
    expect(() => setup().adapter.normalizeSecret!('ttwid=1; foo=bar')).toThrow(/sessionid/)
  })
})
