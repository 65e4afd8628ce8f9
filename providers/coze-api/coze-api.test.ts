import { afterEach, describe, expect, it } from 'vitest'
import { reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { ECHO_BOT } from '../../test/fakes/coze-api.js'
import { conversationOf, setup } from '../../test/fakes/coze-api-harness.js'

type Env = Awaited<ReturnType<typeof setup>>
let env: Env
afterEach(() => env?.fake.close())

describe('coze-api adapter: models', () => {
  it('has one model per configured bot, prefixed coze- and routed to the bot id', async () => {
    env = await setup()
    expect(env.adapter.models.map((m) => [m.id, m.upstream])).toEqual([
      ['coze-assistant', ECHO_BOT],
      ['coze-ghost', '7000000000000000404'],
    ])
    expect(env.adapter.credentialKind).toBe('api_key')
  })
})

describe.each([true, false])('coze-api adapter, stream=%s', (stream) => {
  it('answers, with the conversation first and real usage last', async () => {
    env = await setup()
    const events = await env.run({ stream })
    expect(events[0]?.type).toBe('conversation')
    expect(textFrom(events)).toBe('你好！你说的是「你好」。这是第1轮，会话里有1条消息。')
    const usage = events.find((e) => e.type === 'usage')
    const chat = [...env.fake.chats.values()][0]!.chat
    expect(usage).toEqual({ type: 'usage', promptTokens: chat.usage.input_count, completionTokens: chat.usage.output_count })
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    const [create] = env.fake.chatRequests()
    expect(create!.query).toEqual({})
    expect(create!.body).toMatchObject({ bot_id: ECHO_BOT, user_id: 'freeway', stream, auto_save_history: true })
    expect(create!.body!.additional_messages).toEqual([{ role: 'user', type: 'question', content: '你好', content_type: 'text' }])
  })

  it('continues a conversation: only the newest question, with ?conversation_id=', async () => {
    env = await setup()
    const first = await env.run({ stream })
    const id = conversationOf(first)!
    const history = [
      { role: 'user' as const, content: '你好' },
      { role: 'assistant' as const, content: textFrom(first) },
      { role: 'user' as const, content: '第二个问题' },
    ]
    const second = await env.run({ stream, messages: history, continueFrom: { conversationId: id } })
    expect(conversationOf(second)).toBe(id)
    // The bot sees the whole conversation upstream: two questions and one answer.
    expect(textFrom(second)).toBe('你好！你说的是「第二个问题」。这是第2轮，会话里有3条消息。')
    const create = env.fake.chatRequests()[1]!
    expect(create.query).toEqual({ conversation_id: id })
    expect(create.body!.additional_messages).toEqual([{ role: 'user', type: 'question', content: '第二个问题', content_type: 'text' }])
  })

  it('honours an explicit conversation id, and an unknown one is the client error 4002', async () => {
    env = await setup()
    const id = conversationOf(await env.run({ stream }))!
    await env.run({ stream, conversationId: id, messages: [{ role: 'user', content: '再来' }] })
    expect(env.fake.chatRequests()[1]!.query).toEqual({ conversation_id: id })
    await expect(env.run({ stream, conversationId: '123' })).rejects.toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('4002') })
  })

  it('starts over with the whole history when a remembered conversation is gone upstream', async () => {
    env = await setup()
    const messages = [
      { role: 'user' as const, content: '一' },
      { role: 'assistant' as const, content: '二' },
      { role: 'user' as const, content: '三' },
    ]
    const events = await env.run({ stream, messages, continueFrom: { conversationId: '7999999999999999999' } })
    expect(textFrom(events)).toContain('会话里有3条消息')
    const [failed, retried] = env.fake.chatRequests()
    expect(failed!.query).toEqual({ conversation_id: '7999999999999999999' })
    expect(retried!.query).toEqual({})
    expect(retried!.body!.additional_messages).toHaveLength(3)
  })

  it('uses the request user as Coze user_id and passes custom_variables through', async () => {
    env = await setup()
    await env.run({ stream, user: 'alice', extra: { custom_variables: { city: '北京' }, temperature_hint: 1 } })
    expect(env.fake.chatRequests()[0]!.body).toMatchObject({ user_id: 'alice', custom_variables: { city: '北京' } })
    expect(env.fake.chatRequests()[0]!.body).not.toHaveProperty('temperature_hint')
  })

  it('maps reasoning_content to reasoning and joins a multi-answer reply', async () => {
    env = await setup({ bots: { [ECHO_BOT]: { reply: () => ({ answers: ['甲', '乙'], reasoning: '想一想' }) } } })
    const events = await env.run({ stream })
    expect(reasoningFrom(events)).toBe('想一想')
    expect(textFrom(events)).toBe('甲\n\n乙')
  })
})

describe('coze-api adapter: non-stream polling', () => {
  it('creates, polls retrieve until completed, then lists the messages', async () => {
    env = await setup({ pollsBeforeDone: 3 })
    await env.run({ stream: false })
    const paths = env.fake.requests.map((r) => `${r.method} ${r.path}`)
    expect(paths).toEqual([
      'POST /v3/chat',
      'GET /v3/chat/retrieve',
      'GET /v3/chat/retrieve',
      'GET /v3/chat/retrieve',
      'GET /v3/chat/retrieve',
      'GET /v3/chat/message/list',
    ])
    const chat = [...env.fake.chats.values()][0]!.chat
    expect(env.fake.requests[1]!.query).toEqual({ conversation_id: chat.conversation_id, chat_id: chat.id })
  })

  it('deleteConversation removes the conversation upstream', async () => {
    env = await setup()
    const id = conversationOf(await env.run())!
    await env.adapter.deleteConversation!({ conversationId: id }, env.context())
    expect(env.fake.conversations.has(id)).toBe(false)
    await expect(env.adapter.deleteConversation!({ conversationId: id }, env.context())).rejects.toMatchObject({ kind: 'invalid_request' })
  })
})
