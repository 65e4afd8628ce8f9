// qwen-web through the whole app with the official openai SDK, against the fake Qwen upstreams.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { QWEN_SOURCES, QWEN_THINKING, type QwenFake, qwenAnswer, startQwenFake } from '../../test/fakes/qwen-web.js'
import { fakeJwt } from '../../test/fakes/qwen-web-harness.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'

let fake: QwenFake
let app: TestApp
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(credentials: string[], block: Record<string, unknown> = {}) {
  fake = await startQwenFake()
  const urls = { base_url: fake.url, api_url: fake.url, tongyi_url: fake.url, intl_url: fake.url }
  app = await startTestApp({ config: { providers: { 'qwen-web': { ...urls, credentials, ...block } } } })
  return app.openai()
}

const user = (content: string) => [{ role: 'user' as const, content }]
const chats = () => fake.calls.filter((c) => c.path === '/api/v2/chat')

describe('qwen-web end to end (www.qianwen.com)', () => {
  it('adds a pasted ticket through PUT /api/cookie and answers with it', async () => {
    await start([])
    const added = await app.admin('PUT', '/cookie', { provider: 'qwen-web', cookie: '{"tongyi_sso_ticket":"ticket-valid-1"}' })
    expect(added.status).toBe(200)
    const reply = await app.openai().chat.completions.create({ model: 'qwen', messages: user('你好') })
    expect(reply.choices[0]!.message.content).toBe(qwenAnswer('你好', 1))
    expect(reply.usage).toMatchObject({ prompt_tokens: 2 })
  })

  it('answers non-streaming with thinking, then streams the second turn of the same session', async () => {
    const client = await start(['tongyi_sso_ticket=ticket-valid-1'])
    const first = await client.chat.completions.create({ model: 'qwen3-max-thinking', messages: user('第一问') })
    const message = first.choices[0]!.message as { content: string; reasoning_content?: string }
    expect(message.content).toBe(qwenAnswer('第一问', 1))
    expect(message.reasoning_content).toBe(QWEN_THINKING)
    const sessionId = [...fake.sessions.keys()][0]!
    expect(first.id).toContain(sessionId)

    const stream = await client.chat.completions.create({
      model: 'qwen3-max',
      stream: true,
      messages: [...user('第一问'), { role: 'assistant', content: message.content }, ...user('第二问')],
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe(qwenAnswer('第二问', 2))
    expect(chats().at(-1)!.body).toMatchObject({ session_id: sessionId, scene_param: 'continue_chat', model: 'Qwen3-Max' })
  })

  it('returns sources as url_citation annotations', async () => {
    const client = await start(['ticket-valid-1'])
    fake.scenario = 'sources'
    const reply = await client.chat.completions.create({ model: 'qwen', messages: user('天气') })
    const annotations = (reply.choices[0]!.message as { annotations?: { url_citation: { url: string } }[] }).annotations
    expect(annotations?.map((a) => a.url_citation.url)).toEqual(QWEN_SOURCES.map((s) => s.url))
  })

  it('deletes one-shot sessions when multi_turn is off', async () => {
    const client = await start(['ticket-valid-1'], { multi_turn: false })
    await client.chat.completions.create({ model: 'qwen', messages: user('一次性') })
    await expect.poll(() => fake.deleted.length).toBe(1)
  })

  it('fails over from a dead ticket to a live one', async () => {
    const client = await start(['ticket-dead', 'ticket-valid-1'])
    for (let i = 0; i < 2; i++) {
      const reply = await client.chat.completions.create({ model: 'qwen', messages: user(`问题 ${i}`) })
      expect(reply.choices[0]!.message.content).toBe(qwenAnswer(`问题 ${i}`, 1))
    }
    const tickets = chats().map((c) => /tongyi_sso_ticket=([^;]+)/.exec(String(c.headers.cookie))?.[1])
    expect(tickets).toContain('ticket-dead')
    expect(tickets.at(-1)).toBe('ticket-valid-1')
  })

  it('reports a demanded signature as an upstream error, not an answer', async () => {
    const client = await start(['ticket-valid-1'])
    fake.scenario = 'sign-required'
    await expect(client.chat.completions.create({ model: 'qwen', messages: user('hi') })).rejects.toMatchObject({
      message: expect.stringContaining('signature'),
    })
  })
})

describe('qwen-web end to end (chat.qwen.ai)', () => {
  it('streams a thinking answer and continues the chat', async () => {
    const token = fakeJwt({ id: 'u1', exp: Math.floor(Date.now() / 1000) + 600 })
    const client = await start([`token=${token}; cna=c1`], { site: 'intl' })
    fake.tokens.add(token)
    const first = await client.chat.completions.create({ model: 'qwen3-thinking', messages: user('一') })
    expect((first.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBe(QWEN_THINKING)
    const stream = await client.chat.completions.create({
      model: 'qwen3',
      stream: true,
      messages: [...user('一'), { role: 'assistant', content: first.choices[0]!.message.content ?? '' }, ...user('二')],
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe(qwenAnswer('二', 2))
    expect(fake.calls.filter((c) => c.path === '/api/v2/chats/new')).toHaveLength(1)
  })

  it('a token login is saved with the credential and survives a restart of the relay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freeway-qwen-restart-'))
    try {
      fake = await startQwenFake()
      fake.accounts.set('han.meimei@example.com', 'pw-1')
      fake.requireBrowserCookies = false
      const urls = { base_url: fake.url, intl_url: fake.url }
      const config = { providers: { 'qwen-web': { ...urls, site: 'intl', credentials: ['han.meimei@example.com:pw-1'] } } }
      const signins = () => fake.calls.filter((c) => c.path.endsWith('/auths/signin')).length
      app = await startTestApp({ config, databasePath: join(dir, 'freeway.db') })
      const ask = async (content: string) =>
        (await app.openai().chat.completions.create({ model: 'qwen3', messages: user(content) })).choices[0]!.message.content
      expect(await ask('一')).toBe(qwenAnswer('一', 1))
      expect(signins()).toBe(1)
      await app.close()

      app = await startTestApp({ config, databasePath: join(dir, 'freeway.db') })
      expect(await ask('二')).toBe(qwenAnswer('二', 1))
      expect(signins()).toBe(1) // the saved token, not a second sign-in
    } finally {
      await app?.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
