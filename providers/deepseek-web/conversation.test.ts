import { afterEach, describe, expect, it } from 'vitest'
import { chatRequest, conversationOf, deepseekSetUp } from '../../test/fakes/deepseek-web-harness.js'
import type { FakeDeepseek } from '../../test/fakes/deepseek-web.js'
import { collectEvents, textFrom } from '../../test/helpers/adapter-context.js'
import deepseekWeb from './index.js'
import { ASSISTANT_MARK, END_OF_SENTENCE, USER_MARK, buildPrompt } from './prompt.js'

let fake: FakeDeepseek
afterEach(() => fake?.close())

async function setUp() {
  const made = await deepseekSetUp()
  fake = made.fake
  return made
}

describe('deepseek-web multi-turn', () => {
  it('continues a remembered conversation with only the newest message and the parent id', async () => {
    const { adapter, ctx } = await setUp()
    const first = await collectEvents(adapter.chat(chatRequest('deepseek-chat', '第一问'), ctx))
    const conversation = conversationOf(first)
    const history = [
      { role: 'user' as const, content: '第一问' },
      { role: 'assistant' as const, content: textFrom(first) },
      { role: 'user' as const, content: '第二问' },
    ]
    const continueFrom = { conversationId: conversation.id, parentId: conversation.parentId! }
    const second = await collectEvents(adapter.chat(chatRequest('deepseek-chat', history, [], { continueFrom }), ctx))
    expect(fake.sessions.size).toBe(1)
    const body = fake.completions.at(-1)!.body
    expect(body).toMatchObject({ chat_session_id: conversation.id.split('@')[0], parent_message_id: 2, prompt: '第二问' })
    expect(textFrom(second)).toBe('第2轮回答：第二问。')
    expect(conversationOf(second)).toEqual({ type: 'conversation', id: `${body.chat_session_id}@4`, parentId: '4' })
  })

  it('honours an explicit session@message conversation id from the client', async () => {
    const { adapter, ctx } = await setUp()
    const first = await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'a'), ctx))
    const conversationId = conversationOf(first).id
    await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'b', [], { conversationId }), ctx))
    expect(fake.completions.at(-1)!.body).toMatchObject({ parent_message_id: 2, prompt: 'b' })
  })

  it('starts over with the folded history when the remembered conversation is gone upstream', async () => {
    const { adapter, ctx } = await setUp()
    const first = await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'x'), ctx))
    const ref = { conversationId: conversationOf(first).id, parentId: conversationOf(first).parentId! }
    await adapter.deleteConversation!(ref, ctx)
    const history = [
      { role: 'user' as const, content: 'x' },
      { role: 'assistant' as const, content: 'y' },
      { role: 'user' as const, content: 'z' },
    ]
    const events = await collectEvents(adapter.chat(chatRequest('deepseek-chat', history, [], { continueFrom: ref }), ctx))
    expect(fake.sessions.size).toBe(2)
    expect(fake.completions.at(-1)!.body).toMatchObject({ parent_message_id: null, prompt: buildPrompt(history) })
    expect(textFrom(events)).toBe('第1轮回答：z。')
  })

  it('deletes a conversation by its id', async () => {
    const { adapter, ctx } = await setUp()
    const first = await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'x'), ctx))
    await adapter.deleteConversation!({ conversationId: conversationOf(first).id }, ctx)
    expect(fake.deleted).toEqual([conversationOf(first).id.split('@')[0]])
  })
})

describe('deepseek-web prompt folding', () => {
  it('sends a lone user message unchanged', () => {
    expect(buildPrompt([{ role: 'user', content: '  just this ' }])).toBe('just this')
  })

  it('folds a history with the chat-template markers, merging same-role runs and dropping images', () => {
    const prompt = buildPrompt([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi ![pic](http://x/y.png)' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: [{ type: 'text', text: 'Again?' }] },
    ])
    expect(prompt).toBe(`Be brief.\n\nHi${ASSISTANT_MARK}Hello.${END_OF_SENTENCE}${USER_MARK}Again?`)
  })
})

describe('deepseek-web credentials', () => {
  it.each([
    ['abcTOKEN123', 'abcTOKEN123'],
    ['userToken=abcTOKEN123', 'abcTOKEN123'],
    ['Cookie: a=1; userToken=abcTOKEN123; b=2', 'abcTOKEN123'],
    ['{"value":"abcTOKEN123","__version":"0"}', 'abcTOKEN123'],
    ['"abcTOKEN123"', 'abcTOKEN123'],
    ['Bearer abcTOKEN123', 'abcTOKEN123'],
    ['  abcTOKEN123\n', 'abcTOKEN123'],
  ])('normalizes %j', (raw, expected) => {
    const adapter = deepseekWeb.create('deepseek-web', { ...deepseekWeb.settings!.parse({}) } as never)
    expect(adapter.normalizeSecret!(raw)).toBe(expected)
  })

  it('probes a live token: ok, with the account, and caches the session token', async () => {
    const { adapter, ctx } = await setUp()
    expect(await adapter.probe!(ctx)).toEqual({ ok: true, account: 'user-token-a@example.com' })
    expect(typeof ctx.state.token).toBe('string')
  })

  it('probes a dead token: not ok, with the upstream reason', async () => {
    const made = await deepseekSetUp({}, {}, 'expired-token')
    fake = made.fake
    const health = await made.adapter.probe!(made.ctx)
    expect(health.ok).toBe(false)
    expect(health.reason).toMatch(/invalid token/)
  })

  it('lets a probe that could not run fail instead of calling the credential bad', async () => {
    const { adapter, ctx } = await setUp()
    await fake.close()
    await expect(adapter.probe!(ctx)).rejects.toMatchObject({ kind: 'unavailable' })
  })
})
