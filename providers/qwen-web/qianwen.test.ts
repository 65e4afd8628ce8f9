import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../src/kit/types.js'
import { collectEvents, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { QWEN_SOURCES, QWEN_THINKING, type QwenFake, qwenAnswer, startQwenFake } from '../../test/fakes/qwen-web.js'
import { assistant, qwenRequest, qwenSetup, user } from '../../test/fakes/qwen-web-harness.js'

let fake: QwenFake
beforeAll(async () => {
  fake = await startQwenFake()
})
afterAll(() => fake.close())
afterEach(() => {
  fake.scenario = 'answer'
  fake.calls.length = 0
})

const SECRET = 'tongyi_sso_ticket=ticket-valid-1; XSRF-TOKEN=xsrf-1; b-user-id=buid-1'
const chats = () => fake.calls.filter((c) => c.path === '/api/v2/chat')

function run(model: string, messages = [user('你好')], extra: Partial<ChatRequest> = {}, secret = SECRET, settings = {}) {
  const { adapter, ctx, upstreamOf } = qwenSetup(fake, { secret, settings })
  return { events: collectEvents(adapter.chat(qwenRequest(upstreamOf(model), messages, extra), ctx)), ctx, adapter }
}

describe('qwen-web on www.qianwen.com', () => {
  it('answers with deltas from cumulative snapshots, the session first and real usage', async () => {
    const events = await run('qwen').events
    expect(events[0]).toMatchObject({ type: 'conversation', id: expect.stringMatching(/^[0-9a-f]{32}$/) })
    expect(textFrom(events)).toBe(qwenAnswer('你好', 1))
    expect(events.filter((e) => e.type === 'usage')).toEqual([{ type: 'usage', promptTokens: 2, completionTokens: Array.from(qwenAnswer('你好', 1)).length }])
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    const call = chats()[0]!
    expect(call.body).toMatchObject({ model: 'Qwen', deep_search: '0', scene_param: 'first_turn', parent_req_id: '0' })
    expect(call.headers['x-csrf-token']).toBe('xsrf-1')
    expect(call.query.get('ut')).toBe('buid-1')
    expect(Object.keys(call.headers).filter((h) => h.startsWith('clt-acs') || h.startsWith('eo-clt'))).toEqual([])
    expect((events[0] as { parentId: string }).parentId).toBe(call.body.req_id)
  })

  it('maps models and thinking: qwen3-max-thinking → Qwen3-Max with deep_search 1', async () => {
    const events = await run('qwen3-max', [user('想想')], { flags: new Set(['thinking']) }).events
    expect(chats()[0]!.body).toMatchObject({ model: 'Qwen3-Max', deep_search: '1' })
    expect(reasoningFrom(events)).toBe(QWEN_THINKING)
    expect(textFrom(events)).toBe(qwenAnswer('想想', 1))
  })

  it('turns bar/iframe sources into citations', async () => {
    fake.scenario = 'sources'
    const events = await run('qwen').events
    expect(events.flatMap((e) => (e.type === 'citations' ? e.items : []))).toEqual(QWEN_SOURCES)
  })

  it('reads `event: message` framing with a bare `true` chunk', async () => {
    fake.scenario = 'message-framing'
    expect(textFrom(await run('qwen3-flash').events)).toBe(qwenAnswer('你好', 1))
    expect(chats()[0]!.body.model).toBe('Qwen3.5-Flash')
  })

  it('continues a session with only the newest message and the parent req_id', async () => {
    const { adapter, ctx, upstreamOf } = qwenSetup(fake, { secret: SECRET })
    const first = await collectEvents(adapter.chat(qwenRequest(upstreamOf('qwen'), [user('一')]), ctx))
    const conv = first[0] as { id: string; parentId: string }
    const history = [user('一'), assistant(textFrom(first)), user('二')]
    const continueFrom = { conversationId: conv.id, parentId: conv.parentId }
    const second = await collectEvents(adapter.chat(qwenRequest(upstreamOf('qwen'), history, { continueFrom }), ctx))
    expect(textFrom(second)).toBe(qwenAnswer('二', 2))
    expect(chats()[1]!.body).toMatchObject({ session_id: conv.id, parent_req_id: conv.parentId, scene_param: 'continue_chat' })
    expect(chats()[1]!.body.messages).toEqual([{ mime_type: 'text/plain', content: '二', meta_data: { ori_query: '二' }, status: 'complete' }])
  })

  it('with continue_sessions off, folds the history into a new session', async () => {
    const history = [{ role: 'system' as const, content: '简洁' }, user('一'), assistant('答'), user('二')]
    const continueFrom = { conversationId: 'f'.repeat(32), parentId: 'e'.repeat(32) }
    const events = await run('qwen', history, { continueFrom }, SECRET, { continue_sessions: false }).events
    const prompt = '<|im_start|>system\n简洁<|im_end|>\n<|im_start|>user\n一<|im_end|>\n<|im_start|>assistant\n答<|im_end|>\n<|im_start|>user\n二<|im_end|>\n'
    expect(textFrom(events)).toBe(qwenAnswer(prompt, 1))
    expect(chats()[0]!.body.scene_param).toBe('first_turn')
  })

  it('reads the 2026 stream (bar/workflow thinking, answer in multi_load) and stops at sse_end "1"', async () => {
    fake.scenario = 'stream-2026'
    const before = fake.aborted
    const events = await run('qwen3-max', [user('想想')], { flags: new Set(['thinking']) }).events
    expect(reasoningFrom(events)).toBe(`深度思考\n${QWEN_THINKING}`)
    expect(textFrom(events)).toBe(qwenAnswer('想想', 1))
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    // The fake keeps the connection open after sse_end: the client ends it.
    await expect.poll(() => fake.aborted).toBe(before + 1)
  })

  it('honours model_map overrides', async () => {
    await run('qwen3-max', [user('hi')], {}, SECRET, { model_map: { 'qwen3-max': 'Qwen3.7-Max' } }).events
    expect(chats()[0]!.body.model).toBe('Qwen3.7-Max')
  })
})

describe('qwen-web qianwen failures', () => {
  it('a demanded ACS signature fails before any event with an error that says so', async () => {
    fake.scenario = 'sign-required'
    await expect(run('qwen').events).rejects.toMatchObject({ kind: 'protocol', message: expect.stringMatching(/signature.*EX015/) })
  })

  it('an unknown ticket is an invalid credential', async () => {
    await expect(run('qwen', [user('hi')], {}, 'tongyi_sso_ticket=expired').events).rejects.toMatchObject({ kind: 'credential_invalid' })
  })

  it('a login page is a protocol error naming the provider', async () => {
    fake.scenario = 'html'
    await expect(run('qwen').events).rejects.toMatchObject({ kind: 'protocol', message: expect.stringContaining('qwen-web') })
  })

  it('an in-stream rate limit is classified', async () => {
    fake.scenario = 'rate-limit'
    await expect(run('qwen').events).rejects.toMatchObject({ kind: 'rate_limited' })
  })

  it('closes the upstream connection when the client aborts', async () => {
    fake.scenario = 'slow'
    const controller = new AbortController()
    const { adapter, ctx, upstreamOf } = qwenSetup(fake, { secret: SECRET, signal: controller.signal })
    const before = fake.aborted
    const seen: string[] = []
    await expect(
      (async () => {
        for await (const ev of adapter.chat(qwenRequest(upstreamOf('qwen'), [user('慢')]), ctx)) {
          seen.push(ev.type)
          if (ev.type === 'text') controller.abort()
        }
      })(),
    ).rejects.toThrow()
    expect(seen).toEqual(['conversation', 'text'])
    await expect.poll(() => fake.aborted).toBe(before + 1)
  })
})

describe('qwen-web qianwen probe, delete, secrets', () => {
  it('probes with the ticket', async () => {
    const good = qwenSetup(fake, { secret: SECRET })
    expect(await good.adapter.probe!(good.ctx)).toEqual({ ok: true })
    const bad = qwenSetup(fake, { secret: 'gone-ticket' })
    expect(await bad.adapter.probe!(bad.ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('未登录') })
  })

  it('deletes a session', async () => {
    const { events, adapter, ctx } = run('qwen')
    const id = ((await events)[0] as { id: string }).id
    await adapter.deleteConversation!({ conversationId: id }, ctx)
    expect(fake.deleted).toContain(id)
    expect(fake.sessions.has(id)).toBe(false)
  })

  it.each([
    ['short bare ticket', 'abc', 'tongyi_sso_ticket=abc'],
    ['long bare ticket', 'x'.repeat(120), `login_aliyunid_ticket=${'x'.repeat(120)}`],
    ['cookie header', 'Cookie: XSRF-TOKEN=a; tongyi_sso_ticket=abc', 'XSRF-TOKEN=a; tongyi_sso_ticket=abc'],
    ['JSON map', '{"tongyi_sso_ticket":"abc"}', 'tongyi_sso_ticket=abc'],
    ['JSON-quoted value', '"abc"', 'tongyi_sso_ticket=abc'],
  ])('normalizeSecret accepts a %s', (_label, raw, expected) => {
    expect(qwenSetup(fake, { secret: 'abc' }).adapter.normalizeSecret!(raw)).toBe(expected)
  })

  it('normalizeSecret refuses a jar without a ticket', () => {
    expect(() => qwenSetup(fake, { secret: 'a=b' })).toThrow(/ticket/)
  })
})
