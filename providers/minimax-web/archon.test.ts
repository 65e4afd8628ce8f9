// `flow: archon` (MiniMax-M3, unverified shapes) against the fake archon API.
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest, DeltaEvent } from '../../src/kit/types.js'
import { makeContext as baseContext, collectEvents, createAdapter, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { FakeMinimaxAgent } from '../../test/fakes/minimax-web.js'
import type { MinimaxSettings } from './constants.js'
import minimaxWeb from './index.js'

const fake = await new FakeMinimaxAgent().start()
afterAll(() => fake.close())
const jwt = fake.issueToken('5001')

type Opts = Parameters<typeof baseContext<MinimaxSettings>>[0]
const ctx = (o: Partial<Opts> = {}) =>
  baseContext<MinimaxSettings>({
    secret: jwt,
    ...o,
    baseUrl: fake.url,
    settings: { ...minimaxWeb.settings!.parse({ flow: 'archon', archon_stream_url: fake.url }), ...o.settings },
  })
const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'MiniMax-M3',
  requestedModel: 'MiniMax-M3',
  flags: new Set(),
  messages: [{ role: 'user', content: '你好' }],
  stream: true,
  extra: {},
  ...over,
})
const adapter = createAdapter(minimaxWeb, fake.url, { flow: 'archon', archon_stream_url: fake.url })
const conversationOf = (evs: DeltaEvent[]) => evs.find((e) => e.type === 'conversation') as { id: string }

beforeEach(() => {
  fake.plan = (text) => ({ think: '想一想', text: `收到：${text}`, step: 2 })
  fake.archon.style = 'keyed'
  fake.archon.sessionStyle = 'top'
})

describe('minimax-web archon flow', () => {
  it('is off by default', () => {
    expect(minimaxWeb.settings!.parse({}).flow).toBe('agent')
  })

  it('opens a session for MiniMax-M3 and streams the chunks, then the reasoning of the whole message', async () => {
    const events = await collectEvents(adapter.chat(request(), ctx()))
    const sessionId = conversationOf(events).id
    expect(events[0]).toEqual({ type: 'conversation', id: sessionId })
    expect(fake.archon.sessions.get(sessionId)).toMatchObject({ agent: '1', model: 'minimax/MiniMax-M3', owner: '5001' })
    expect(textFrom(events)).toBe('收到：你好')
    expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(2)
    expect(reasoningFrom(events)).toBe('想一想')
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    const sent = fake.archon.messages.at(-1)!.body
    expect(sent).toMatchObject({ content: '你好', model: { provider_id: 'minimax', model_id: 'MiniMax-M3', variant: 'thinking' }, worktreeMode: false })
  })

  it('the generic model names use MiniMax-M3, the named ones go up as named', async () => {
    await collectEvents(adapter.chat(request({ model: 'minimax' }), ctx()))
    expect(fake.archon.messages.at(-1)!.body).toMatchObject({ model: { model_id: 'MiniMax-M3' } })
    await collectEvents(adapter.chat(request({ model: 'MiniMax-M2.7' }), ctx()))
    expect(fake.archon.messages.at(-1)!.body).toMatchObject({ model: { model_id: 'MiniMax-M2.7' } })
  })

  it('continues the session with only the newest message', async () => {
    const first = await collectEvents(adapter.chat(request(), ctx()))
    const id = conversationOf(first).id
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: '你好' },
      { role: 'assistant', content: textFrom(first) },
      { role: 'user', content: '第二问' },
    ]
    const second = await collectEvents(adapter.chat(request({ messages, continueFrom: { conversationId: id } }), ctx()))
    expect(conversationOf(second).id).toBe(id)
    expect(fake.archon.sessions.get(id)!.turns).toEqual(['你好', '第二问'])
  })

  it('reads the other shapes the notes allow (numeric type only, data.session_id)', async () => {
    fake.archon.style = 'typed'
    fake.archon.sessionStyle = 'data'
    const events = await collectEvents(adapter.chat(request(), ctx()))
    expect(textFrom(events)).toBe('收到：你好')
    expect(reasoningFrom(events)).toBe('想一想')
  })

  it('a busy session (409) is a rate limit before any event, so the core can fail over', async () => {
    fake.plan = () => ({ text: '很长的回答', step: 1, neverFinish: true })
    const abort = new AbortController()
    const running = adapter.chat(request(), ctx({ signal: abort.signal }))[Symbol.asyncIterator]()
    const opened = (await running.next()).value as { id: string }
    const seen: DeltaEvent[] = []
    const busy = async () => {
      for await (const e of adapter.chat(request({ continueFrom: { conversationId: opened.id } }), ctx())) seen.push(e)
    }
    await expect(busy()).rejects.toMatchObject({ kind: 'rate_limited', upstreamStatus: 409 })
    expect(seen).toEqual([])
    const closed = fake.archon.closedEarly
    abort.abort()
    await running.next().catch(() => undefined)
    await expect.poll(() => fake.archon.closedEarly).toBe(closed + 1) // the client left: the stream was closed
  })

  it('a dead token is credential_invalid; the probe names the account or says why not', async () => {
    fake.revokedUsers.add('5002')
    const dead = fake.issueToken('5002')
    await expect(collectEvents(adapter.chat(request(), ctx({ secret: dead })))).rejects.toMatchObject({ kind: 'credential_invalid' })
    expect(await adapter.probe!(ctx())).toEqual({ ok: true, account: '5001' })
    expect(await adapter.probe!(ctx({ secret: dead }))).toMatchObject({ ok: false })
  })

  it('renews a token near its exp here too', async () => {
    const c = ctx({ secret: fake.issueToken('5001', 3600) })
    await collectEvents(adapter.chat(request(), c))
    expect(c.state.token).toBe(fake.renewals.at(-1)!.issued)
  })
})
