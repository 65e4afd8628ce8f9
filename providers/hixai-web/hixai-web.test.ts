import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../src/kit/types.js'
import { reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { type FakeHix, startFakeHix } from '../../test/fakes/hixai-web.js'
import { collectEvents, failure, harness, request, user } from '../../test/fakes/hixai-web-harness.js'
import { reasoningText, replyText } from '../../test/fakes/hixai-web-replies.js'

let fake: FakeHix
beforeEach(async () => {
  fake = await startFakeHix([{ credit: 100 }, { credit: 3, advancedCredit: 100, subscribed: true }])
})
afterEach(() => fake.close())
const { adapter, context, chatPosts, creates } = harness(() => fake)

describe('hixai-web chat', () => {
  it('creates a chat, streams reasoning then content, and announces the chat before any text', async () => {
    const events = await collectEvents(adapter().chat(request('deepseek-r1', [user('你好，世界')]), context()))
    const chatId = [...fake.state.chats.keys()][0]!
    expect(events[0]).toEqual({ type: 'conversation', id: chatId, parentId: 'deepseek-r1' })
    expect(reasoningFrom(events)).toBe(reasoningText('你好，世界'))
    expect(textFrom(events)).toBe(replyText('deepseek-r1', 1, '你好，世界'))
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    expect(events.some((e) => e.type === 'usage')).toBe(false) // hix reports no counts
    expect(creates()[0]!.body).toEqual({ 0: { json: { title: 'Untitled', botId: 85426 } } })
    expect(chatPosts()[0]).toEqual({ chatId, question: '你好，世界', fileUrl: '' })
  })

  it.each([
    ['search', 'internet'],
    ['news', 'news'],
    ['academic', 'academic'],
  ])('the -%s suffix asks for searchType %s', async (flag, searchType) => {
    const events = await collectEvents(adapter().chat(request('gpt-4o', [user('q')], { flags: new Set([flag]) }), context()))
    expect(chatPosts()[0]).toMatchObject({ search: true, searchType })
    expect(textFrom(events)).toBe(replyText('gpt-4o', 1, 'q', searchType))
  })

  it('folds earlier history into the first question of a new chat', async () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: '简短回答' },
      user('一'),
      { role: 'assistant', content: '二' },
      user('三'),
    ]
    await collectEvents(adapter().chat(request('deepseek-v3', messages), context()))
    expect(chatPosts()[0]!.question).toBe('system: 简短回答\nuser: 一\nassistant: 二\nuser: 三')
    await collectEvents(adapter().chat(request('deepseek-v3', messages), context('tok-0', { fold_history: false })))
    expect(chatPosts()[1]!.question).toBe('三')
  })

  it('drops the oldest history to fit the bot input limit and refuses a question over it', async () => {
    const long = 'x'.repeat(7990)
    await collectEvents(adapter().chat(request('deepseek-v3', [user(long), { role: 'assistant', content: 'a' }, user('q')]), context()))
    expect(chatPosts()[0]!.question).toBe('assistant: a\nuser: q')
    const err = await failure(adapter().chat(request('deepseek-v3', [user('y'.repeat(8001))]), context()))
    expect(err.kind).toBe('invalid_request')
  })

  it('continues req.continueFrom with only the newest message and no new chat', async () => {
    const ctx = context()
    const first = await collectEvents(adapter().chat(request('deepseek-v3', [user('第一问')]), ctx))
    const chatId = (first[0] as { id: string }).id
    const history = [user('第一问'), { role: 'assistant' as const, content: textFrom(first) }, user('第二问')]
    const second = await collectEvents(
      adapter().chat(request('deepseek-v3', history, { continueFrom: { conversationId: chatId } }), { ...ctx, settings: { ...ctx.settings, reuse_last_pair: false } }),
    )
    expect(second[0]).toEqual({ type: 'conversation', id: chatId, parentId: 'deepseek-v3' })
    expect(textFrom(second)).toBe(replyText('deepseek-v3', 2, '第二问'))
    expect(creates()).toHaveLength(1)
    expect(chatPosts()[1]).toEqual({ chatId, question: '第二问', fileUrl: '' })
  })

  it('does not continue a chat the core remembered for another model (hix chats are bound to one bot)', async () => {
    const ctx = context()
    const first = await collectEvents(adapter().chat(request('deepseek-v3', [user('a')]), ctx))
    const ref = first[0] as { id: string; parentId: string }
    const history = [user('a'), { role: 'assistant' as const, content: textFrom(first) }, user('b')]
    const continueFrom = { conversationId: ref.id, parentId: ref.parentId }
    const other = await collectEvents(adapter().chat(request('gpt-4o-mini', history, { continueFrom }), ctx))
    expect(textFrom(other)).toBe(replyText('gpt-4o-mini', 1, `user: a\nassistant: ${textFrom(first)}\nuser: b`))
    expect(creates()).toHaveLength(2)
  })

  it('honours an explicit conversation id', async () => {
    const ctx = context()
    const first = await collectEvents(adapter().chat(request('gpt-4o-mini', [user('a')]), ctx))
    const chatId = (first[0] as { id: string }).id
    const events = await collectEvents(adapter().chat(request('gpt-4o-mini', [user('b')], { conversationId: chatId }), ctx))
    expect(textFrom(events)).toBe(replyText('gpt-4o-mini', 2, 'b'))
    expect(creates()).toHaveLength(1)
  })

  it('reuses the chat by the hash of the last user/assistant pair, even with trimmed history and folded reasoning', async () => {
    const ctx = context()
    const first = await collectEvents(adapter().chat(request('deepseek-r1', [{ role: 'system', content: 's' }, user('甲')]), ctx))
    const answer = `<think>\n${reasoningFrom(first)}\n</think>\n\n${textFrom(first)}`
    // The client sends a sliding window: the system prompt is gone, reasoning folded into content.
    const second = await collectEvents(adapter().chat(request('deepseek-r1', [user('甲'), { role: 'assistant', content: answer }, user('乙')]), ctx))
    expect(textFrom(second)).toBe(replyText('deepseek-r1', 2, '乙'))
    expect(creates()).toHaveLength(1)
    // Another model never reuses that chat.
    await collectEvents(adapter().chat(request('deepseek-v3', [user('甲'), { role: 'assistant', content: answer }, user('乙')]), ctx))
    expect(creates()).toHaveLength(2)
  })

  it('starts a new chat with the folded history when the chat to continue is gone', async () => {
    const events = await collectEvents(
      adapter().chat(request('gpt-4o', [user('a'), { role: 'assistant', content: 'b' }, user('c')], { continueFrom: { conversationId: 'gone' } }), context()),
    )
    const chatId = [...fake.state.chats.keys()][0]!
    expect(events[0]).toEqual({ type: 'conversation', id: chatId, parentId: 'gpt-4o' })
    expect(chatPosts()[1]).toMatchObject({ chatId, question: 'user: a\nassistant: b\nuser: c' })
  })

  it('leaves one-shot clean-up to the core (the relay calls deleteConversation)', async () => {
    await collectEvents(adapter().chat(request('gpt-4o', [user('a')]), context('tok-0', { multi_turn: false })))
    expect(fake.state.chats.size).toBe(1)
    expect(fake.state.log.some((l) => l.path.includes('deleteChat'))).toBe(false)
  })

  it('deducts the model cost from the cookie credit', async () => {
    await collectEvents(adapter().chat(request('gpt-4o', [user('a')]), context()))
    expect(fake.state.accounts.get('tok-0')!.credit).toBe(70)
  })
})
