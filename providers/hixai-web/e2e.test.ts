// hixai-web through the whole app with the official openai SDK, against the fake hix.ai.
import OpenAI from 'openai'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'
import { type FakeHix, startFakeHix } from '../../test/fakes/hixai-web.js'
import { cookie } from '../../test/fakes/hixai-web-harness.js'
import { reasoningText, replyText } from '../../test/fakes/hixai-web-replies.js'

let fake: FakeHix
let app: TestApp
beforeEach(async () => {
  fake = await startFakeHix([{ credit: 100, email: 'me@example.com' }])
})
afterEach(async () => {
  await app?.close()
  await fake.close()
})

const start = async (credentials: string[] = []) => {
  app = await startTestApp({ config: { providers: { 'hixai-web': { base_url: fake.url, credentials } } } })
  return app.openai()
}

describe('hixai-web end to end', () => {
  it('adds a cookie through PUT /api/cookie, which checks it and stores its credit', async () => {
    await start()
    const dead = await app.admin('PUT', '/cookie', { provider: 'hixai-web', cookie: 'not-a-session' })
    expect(dead.status).toBeGreaterThanOrEqual(400)
    const added = await app.admin('PUT', '/cookie', { provider: 'hixai-web', cookie: cookie('tok-0') })
    expect(added.status).toBe(200)
    expect(added.json.data).toMatchObject({ account: 'me@example.com', credit: 100, advancedCredit: 0, subscribed: false })
  })

  it('lists only the models the cookies can afford, with their suffixes', async () => {
    const client = await start([cookie('tok-0')])
    await app.admin('POST', '/cookie/credit/refresh')
    await expect.poll(() => app.services.pool.entries('hixai-web')[0]?.credit).toBe(100)
    const ids = (await client.models.list()).data.map((m) => m.id)
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o', 'deepseek-r1-search', 'claude-3-5-sonnet-academic']))
    expect(ids).not.toContain('gemini-1-5-pro-1m') // costs 2500
    expect(ids).not.toContain('claude-3-7-sonnet') // ADVANCED, no subscription
  })

  it('answers non-streaming and streaming, and continues the chat on the second turn', async () => {
    const client = await start([cookie('tok-0')])
    const first = await client.chat.completions.create({ model: 'deepseek-r1', messages: [{ role: 'user', content: '你好' }] })
    const chatId = [...fake.state.chats.keys()][0]!
    expect(first.id).toBe(chatId)
    expect(first.choices[0]!.message.content).toBe(replyText('deepseek-r1', 1, '你好'))
    expect((first.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBe(reasoningText('你好'))

    const stream = await client.chat.completions.create({
      model: 'deepseek-r1',
      stream: true,
      messages: [
        { role: 'user', content: '你好' },
        { role: 'assistant', content: first.choices[0]!.message.content! },
        { role: 'user', content: '再说一次' },
      ],
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe(replyText('deepseek-r1', 2, '再说一次'))
    expect(fake.state.chats.size).toBe(1)
    expect(fake.state.chats.get(chatId)!.questions.map((q) => q.question)).toEqual(['你好', '再说一次'])
  })

  it('passes a search suffix through as searchType', async () => {
    const client = await start([cookie('tok-0')])
    const res = await client.chat.completions.create({ model: 'gpt-4o-news', messages: [{ role: 'user', content: 'q' }] })
    expect(res.choices[0]!.message.content).toBe(replyText('gpt-4o', 1, 'q', 'news'))
  })

  it('fails over from a logged-out cookie to a live one and marks the dead one invalid', async () => {
    const client = await start([cookie('dead'), cookie('tok-0')])
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    expect(res.choices[0]!.message.content).toBe(replyText('gpt-4o-mini', 1, 'hi'))
    const statuses = app.services.pool.entries('hixai-web').map((c) => c.status)
    expect(statuses).toEqual(['invalid', 'active'])
  })

  it('answers 503 when no cookie can serve the model', async () => {
    const client = await start([cookie('dead')])
    const err = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.status).toBe(503)
    expect(err.message).toMatch(/^503 No valid cookies available: no usable credential for hixai-web: 1 invalid/)
  })
})
