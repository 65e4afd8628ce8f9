// The adapter against the fake metaso.cn.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest, DeltaEvent } from '../../src/kit/types.js'
import { type FakeMetaso, startFakeMetaso } from '../../test/fakes/metaso-web.js'
import { collectEvents, createAdapter, makeContext, textFrom } from '../../test/helpers/adapter-context.js'
import metasoWeb, { type MetasoSettings } from './index.js'

const UID = '65e91a6b2bac5b600dd8526a'
const SID = '5e7acc465b114236a8d9de26c9f41846'
const SECRET = `${UID}-${SID}`

let fake: FakeMetaso
beforeAll(async () => {
  fake = await startFakeMetaso()
  fake.users.set(UID, { sid: SID, nickname: '秘塔用户' })
})
afterAll(() => fake.close())
beforeEach(() => {
  fake.variant = 'normal'
  fake.answer = ['[[1]]hello ', 'world']
})

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'metaso',
  requestedModel: 'metaso',
  flags: new Set(),
  messages: [{ role: 'user', content: '今天北京天气' }],
  stream: true,
  extra: {},
  ...over,
})
const adapter = () => createAdapter(metasoWeb, fake.url)
const settings: MetasoSettings = { meta_token_ttl_ms: 1_800_000, fold_history: true }
const ctx = (over: Partial<Parameters<typeof makeContext<MetasoSettings>>[0]> = {}) =>
  makeContext<MetasoSettings>({ secret: SECRET, settings, ...over, baseUrl: fake.url })
const kindOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: { kind?: string }) => e.kind ?? String(e))
const lastSearch = () => fake.searches.at(-1)!

describe('metaso-web search', () => {
  it('scrapes the meta-token, creates a session and streams the answer with sources', async () => {
    const events = await collectEvents(adapter().chat(request(), ctx()))
    expect(textFrom(events)).toBe('hello world')
    const conv = events[0] as Extract<DeltaEvent, { type: 'conversation' }>
    expect(conv.type).toBe('conversation')
    expect(fake.sessions.get(conv.id)).toEqual({ question: '今天北京天气', mode: 'detail', engineType: '' })
    expect(lastSearch()).toMatchObject({ sessionId: conv.id, mode: 'detail', token: fake.token, lang: 'zh', 'is-mini-webview': '0', enableMix: 'true' })
    expect(lastSearch().url).toBe(`${fake.url}/search/${conv.id}?newSearch=true&q=${encodeURIComponent('今天北京天气')}`)
    expect(events).toContainEqual({
      type: 'citations',
      items: [
        { url: 'https://a.example/1', title: '来源一' },
        { url: 'https://b.example/2', title: '来源二' },
      ],
    })
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('maps every model to its mode and the scholar suffix to engineType', async () => {
    const cases = [
      ['metaso-concise', 'concise'],
      ['metaso-detail', 'detail'],
      ['metaso-research', 'research'],
    ] as const
    for (const [model, mode] of cases) {
      await collectEvents(adapter().chat(request({ model }), ctx()))
      expect(lastSearch()).toMatchObject({ mode })
      expect(lastSearch().engineType).toBeUndefined()
    }
    const events = await collectEvents(adapter().chat(request({ model: 'metaso-research', flags: new Set(['scholar']) }), ctx()))
    expect(lastSearch()).toMatchObject({ mode: 'research', engineType: 'scholar' })
    expect(fake.sessions.get((events[0] as { id: string }).id)?.engineType).toBe('scholar')
  })

  it('keeps [[N]] markers with cite', async () => {
    expect(textFrom(await collectEvents(adapter().chat(request({ flags: new Set(['cite']) }), ctx())))).toBe('[[1]]hello world')
  })

  it('reuses the cached meta-token and scrapes again once when it goes stale', async () => {
    const c = ctx()
    await collectEvents(adapter().chat(request(), c))
    const fetches = fake.homeFetches
    await collectEvents(adapter().chat(request(), c))
    expect(fake.homeFetches).toBe(fetches)
    fake.rotateToken()
    expect(textFrom(await collectEvents(adapter().chat(request(), c)))).toBe('hello world')
    expect(fake.homeFetches).toBe(fetches + 1)
    expect(c.state.meta_token).toBe(fake.token)
  })

  it('folds the history into the question on every turn, continuing or not', async () => {
    const messages = [
      { role: 'user' as const, content: '秘塔是什么' },
      { role: 'assistant' as const, content: '一个 AI 搜索引擎' },
      { role: 'user' as const, content: '谁做的' },
    ]
    await collectEvents(adapter().chat(request({ messages, continueFrom: { conversationId: '1' } }), ctx()))
    expect(lastSearch().question).toBe('user: 秘塔是什么\nassistant: 一个 AI 搜索引擎\nuser: 谁做的')
    await collectEvents(adapter().chat(request({ messages }), ctx({ settings: { ...settings, fold_history: false } })))
    expect(lastSearch().question).toBe('谁做的')
  })
})

describe('metaso-web failures', () => {
  it('unknown cookies → credential_invalid', async () => {
    const stranger = `${'a'.repeat(24)}-${'b'.repeat(32)}`
    expect(await kindOf(collectEvents(adapter().chat(request(), ctx({ secret: stranger }))))).toBe('credential_invalid')
  })

  it('a credential that is not uid-sid fails before any request', async () => {
    expect(await kindOf(collectEvents(adapter().chat(request(), ctx({ secret: 'nodash' }))))).toBe('credential_invalid')
  })

  it('rate limits (JSON error event or bare line) → rate_limited before any event, so the core can fail over', async () => {
    for (const variant of ['rate_limit_json', 'rate_limit_bare'] as const) {
      fake.variant = variant
      const seen: DeltaEvent[] = []
      const run = async () => {
        for await (const e of adapter().chat(request(), ctx())) seen.push(e)
      }
      expect(await kindOf(run())).toBe('rate_limited')
      expect(seen).toEqual([])
    }
  })

  it('an HTML page or a JSON envelope where the stream belongs → protocol error naming metaso-web', async () => {
    for (const variant of ['html', 'json_envelope'] as const) {
      fake.variant = variant
      const err = await collectEvents(adapter().chat(request(), ctx())).catch((e: Error & { kind: string }) => e)
      expect(err).toMatchObject({ kind: 'protocol', message: expect.stringMatching(/metaso-web/) })
    }
  })

  it('a stream that ends without [DONE] is a protocol error after the text', async () => {
    fake.variant = 'no_done'
    const seen: DeltaEvent[] = []
    const run = async () => {
      for await (const e of adapter().chat(request(), ctx())) seen.push(e)
    }
    expect(await kindOf(run())).toBe('protocol')
    expect(textFrom(seen)).toBe('hello world')
  })

  it('the fake serves the meta-token only to a document navigation; a page without it is a protocol error', async () => {
    const c = ctx()
    const res = await c.http.request(`${fake.url}/`, { headers: { cookie: `uid=${UID}; sid=${SID}` } })
    expect(await res.text()).not.toContain('meta-token')
    fake.homeChallenge = true
    try {
      const err = await collectEvents(adapter().chat(request(), ctx())).catch((e: Error & { kind: string }) => e)
      expect(err).toMatchObject({ kind: 'protocol', message: expect.stringMatching(/metaso-web.*meta-token/) })
    } finally {
      fake.homeChallenge = false
    }
  })

  it('aborting closes the upstream connection', async () => {
    fake.variant = 'stall'
    const before = fake.closedEarly
    const controller = new AbortController()
    const run = async () => {
      for await (const e of adapter().chat(request(), ctx({ signal: controller.signal }))) if (e.type === 'text') controller.abort()
    }
    await expect(run()).rejects.toThrow()
    await expect.poll(() => fake.closedEarly).toBe(before + 1)
  })
})

describe('metaso-web probe', () => {
  it('names the signed-in user, or says why not', async () => {
    expect(await adapter().probe!(ctx())).toEqual({ ok: true, account: '秘塔用户' })
    const dead = await adapter().probe!(ctx({ secret: `${'a'.repeat(24)}-${'b'.repeat(32)}` }))
    expect(dead.ok).toBe(false)
    expect(dead.reason).toMatch(/请先登录/)
  })
})
