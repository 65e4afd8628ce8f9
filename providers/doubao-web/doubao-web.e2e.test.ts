// doubao-web through the whole app with the official openai SDK, against the fake www.doubao.com.
import { afterEach, describe, expect, it } from 'vitest'
import { type DoubaoFake, SEARCH_SOURCES, THINKING_TEXT, answerFor, startDoubaoFake } from '../../test/fakes/doubao-web.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'
import { drainChat } from '../../test/helpers/sdk.js'

let fake: DoubaoFake
let app: TestApp
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(credentials: string[], block: Record<string, unknown> = {}) {
  fake = await startDoubaoFake()
  app = await startTestApp({ config: { providers: { 'doubao-web': { base_url: fake.url, credentials, ...block } } } })
  return app.openai()
}

const user = (content: string) => [{ role: 'user' as const, content }]

describe('doubao-web end to end', () => {
  it('adds a pasted cookie header through PUT /api/cookie and answers with it', async () => {
    await start([])
    const added = await app.admin('PUT', '/cookie', { provider: 'doubao-web', cookie: 'Cookie: ttwid=1%7Cabc; sessionid=sid-valid-1' })
    expect(added.status).toBe(200)
    const reply = await app.openai().chat.completions.create({ model: 'doubao', messages: user('你好') })
    expect(reply.choices[0]!.message.content).toBe(answerFor('你好', 1))
    expect(fake.calls.at(-1)!.headers.cookie).toContain('ttwid=1%7Cabc')
  })

  it('answers non-streaming, then streams the second turn of the same upstream conversation', async () => {
    const client = await start(['sessionid=sid-valid-1'])
    const first = await client.chat.completions.create({ model: 'doubao-think', messages: user('第一问') })
    const message = first.choices[0]!.message as { content: string; reasoning_content?: string }
    expect(message.content).toBe(answerFor('第一问', 1))
    expect(message.reasoning_content).toBe(THINKING_TEXT)
    const conversationId = [...fake.conversations.keys()][0]!
    expect(first.id).toContain(conversationId)

    const stream = await client.chat.completions.create({
      model: 'doubao-think',
      stream: true,
      messages: [...user('第一问'), { role: 'assistant', content: message.content }, ...user('第二问')],
    })
    const { text, reasoning } = await drainChat(stream)
    expect(text).toBe(answerFor('第二问', 2))
    expect(reasoning).toBe(THINKING_TEXT)
    expect(fake.conversations.size).toBe(1)
    expect(fake.calls.at(-1)!.body).toMatchObject({ client_meta: { conversation_id: conversationId } })
  })

  it('returns search sources as url_citation annotations', async () => {
    const client = await start(['sid-valid-1'])
    fake.scenario = 'search'
    const reply = await client.chat.completions.create({ model: 'doubao', messages: user('天气') })
    const annotations = (reply.choices[0]!.message as { annotations?: { url_citation: { url: string } }[] }).annotations
    expect(annotations?.map((a) => a.url_citation.url)).toEqual(SEARCH_SOURCES.map((s) => s.url))
  })

  it('deletes one-shot conversations upstream when multi_turn is off', async () => {
    const client = await start(['sid-valid-1'], { multi_turn: false })
    await client.chat.completions.create({ model: 'doubao', messages: user('一次性') })
    await expect.poll(() => fake.deleted.length).toBe(1)
    expect(fake.conversations.size).toBe(0)
  })

  it('a slider captcha rests the flagged account with a clear last error, and the next account answers', async () => {
    const client = await start(['sessionid=sid-flagged', 'sessionid=sid-valid-1'])
    const reply = await client.chat.completions.create({ model: 'doubao', messages: user('你好') })
    expect(reply.choices[0]!.message.content).toBe(answerFor('你好', 1))
    const bySecret = Object.fromEntries(app.services.pool.entries('doubao-web').map((c) => [c.secret, c]))
    expect(bySecret['sessionid=sid-flagged']).toMatchObject({
      status: 'cooling',
      lastError: expect.stringMatching(/^doubao-web: verification required: the site asks for a slider captcha/),
    })
    const until = Number(bySecret['sessionid=sid-flagged']!.cooldownUntil)
    expect(until - Date.now()).toBeGreaterThan(25 * 60_000)
    expect(bySecret['sessionid=sid-valid-1']).toMatchObject({ status: 'active' })
  })

  it('serves www.dola.com with site: dola', async () => {
    const client = await start(['sessionid=sid-valid-1'], { site: 'dola' })
    const reply = await client.chat.completions.create({ model: 'doubao-think', messages: user('你好') })
    const message = reply.choices[0]!.message as { content: string; reasoning_content?: string }
    expect(message.content).toBe(answerFor('你好', 1))
    expect(message.reasoning_content).toBe(THINKING_TEXT)
    expect(fake.calls.at(-1)!.query.get('aid')).toBe('495671')
  })

  it('fails over from a dead account to a live one', async () => {
    const client = await start(['sid-dead', 'sid-valid-1'])
    for (let i = 0; i < 2; i++) {
      const reply = await client.chat.completions.create({ model: 'doubao', messages: user(`问题 ${i}`) })
      expect(reply.choices[0]!.message.content).toBe(answerFor(`问题 ${i}`, 1))
    }
    const sessions = fake.calls.filter((c) => c.path === '/chat/completion').map((c) => /sessionid=([^;]+)/.exec(String(c.headers.cookie))?.[1])
    expect(sessions).toContain('sid-dead')
    expect(sessions.at(-1)).toBe('sid-valid-1')
  })
})
