import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { collectEvents, textFrom } from '../../test/helpers/adapter-context.js'
import { type QwenFake, qwenAnswer, startQwenFake } from '../../test/fakes/qwen-web.js'
import { assistant, qwenRequest, qwenSetup, user } from '../../test/fakes/qwen-web-harness.js'

let fake: QwenFake
const LONG = `L${'x'.repeat(119)}`
beforeAll(async () => {
  fake = await startQwenFake()
  fake.tickets.add(LONG)
})
afterAll(() => fake.close())
afterEach(() => {
  fake.scenario = 'answer'
  fake.calls.length = 0
})

const setup = (secret = 'ticket-valid-1', settings = {}) => qwenSetup(fake, { site: 'tongyi', secret, settings })
const chats = () => fake.calls.filter((c) => c.path === '/dialog/conversation')

describe('qwen-web on legacy Tongyi', () => {
  it('answers and names the conversation sessionId-msgId', async () => {
    const { adapter, ctx } = setup()
    const events = await collectEvents(adapter.chat(qwenRequest('qwen', [user('你好')]), ctx))
    expect(events[0]).toMatchObject({ type: 'conversation', id: expect.stringMatching(/^[0-9a-f]{32}-[0-9a-f]{32}$/) })
    expect(textFrom(events)).toBe(qwenAnswer('你好', 1))
    expect(chats()[0]!.body).toMatchObject({ sessionId: '', parentMsgId: '', model: '' })
    expect(chats()[0]!.headers.cookie).toMatch(/tongyi_sso_ticket=ticket-valid-1; aliyun_choice=intl; _samesite_flag_=true; t=[0-9a-f]{32}/)
  })

  it('sends a long ticket as login_aliyunid_ticket', async () => {
    const { adapter, ctx } = setup(LONG)
    expect(textFrom(await collectEvents(adapter.chat(qwenRequest('qwen', [user('长')]), ctx)))).toBe(qwenAnswer('长', 1))
  })

  it('continues through continueFrom and through an explicit sessionId-msgId', async () => {
    const { adapter, ctx } = setup()
    const first = await collectEvents(adapter.chat(qwenRequest('qwen', [user('一')]), ctx))
    const conv = first[0] as { id: string; parentId: string }
    const continueFrom = { conversationId: conv.id, parentId: conv.parentId }
    const second = await collectEvents(adapter.chat(qwenRequest('qwen', [user('一'), assistant('x'), user('二')], { continueFrom }), ctx))
    expect(textFrom(second)).toBe(qwenAnswer('二', 2))
    const [sessionId] = conv.id.split('-')
    expect(chats()[1]!.body).toMatchObject({ sessionId, parentMsgId: conv.parentId, contents: [{ content: '二', contentType: 'text', role: 'user' }] })
    const third = await collectEvents(adapter.chat(qwenRequest('qwen', [user('三')], { conversationId: (second[0] as { id: string }).id }), ctx))
    expect(textFrom(third)).toBe(qwenAnswer('三', 3))
  })

  it('passes search_type through and offers no thinking suffix', async () => {
    const { adapter, ctx } = setup()
    await collectEvents(adapter.chat(qwenRequest('qwen', [user('搜')], { extra: { search_type: 'deep' } }), ctx))
    expect(chats()[0]!.body).toMatchObject({ params: { searchType: 'deep' } })
    expect(adapter.models.every((m) => !m.suffixes?.length)).toBe(true)
  })

  it('a censored answer ends with content_filter', async () => {
    fake.scenario = 'filter'
    const { adapter, ctx } = setup()
    expect((await collectEvents(adapter.chat(qwenRequest('qwen', [user('敏感')]), ctx))).at(-1)).toEqual({ type: 'finish', reason: 'content_filter' })
  })

  it('classifies NOT_LOGIN, SESSION_NO_EXIST and frequency limits', async () => {
    const dead = setup('ticket-dead')
    await expect(collectEvents(dead.adapter.chat(qwenRequest('qwen', [user('hi')]), dead.ctx))).rejects.toMatchObject({ kind: 'credential_invalid' })
    const { adapter, ctx } = setup()
    const foreign = { conversationId: `${'a'.repeat(32)}-${'b'.repeat(32)}` }
    await expect(collectEvents(adapter.chat(qwenRequest('qwen', [user('hi')], { continueFrom: foreign }), ctx))).rejects.toMatchObject({
      kind: 'invalid_request',
    })
    fake.scenario = 'rate-limit'
    await expect(collectEvents(adapter.chat(qwenRequest('qwen', [user('hi')]), ctx))).rejects.toMatchObject({ kind: 'rate_limited' })
  })

  it('probes with the session list and deletes sessions', async () => {
    const { adapter, ctx } = setup()
    expect(await adapter.probe!(ctx)).toEqual({ ok: true })
    const dead = setup('ticket-dead')
    expect(await dead.adapter.probe!(dead.ctx)).toMatchObject({ ok: false })
    const events = await collectEvents(adapter.chat(qwenRequest('qwen', [user('删')]), ctx))
    const id = (events[0] as { id: string }).id
    await adapter.deleteConversation!({ conversationId: id }, ctx)
    expect(fake.deleted).toContain(id.split('-')[0])
  })
})
