// glm-web through the whole app with the official openai SDK, against the fake chatglm.cn.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeGlm, promptOf } from '../../test/fakes/glm-web.js'
import { FakeZai } from '../../test/fakes/glm-web-zai.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'

let fake: FakeGlm
let app: TestApp
beforeEach(async () => {
  fake = await new FakeGlm().start()
})
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(credentials: string[], extra: Record<string, unknown> = {}) {
  app = await startTestApp({ config: { providers: { 'glm-web': { base_url: fake.url, credentials, ...extra } } } })
  return app.openai()
}

describe('glm-web end to end', () => {
  it('answers non-streaming and streaming, continuing the conversation on the second turn', async () => {
    const client = await start(['rt-good'])
    fake.plan = (body) => ({ think: '想一想', text: `回答：${promptOf(body)}` })
    const first = await client.chat.completions.create({ model: 'glm-5-think', messages: [{ role: 'user', content: '你好' }] })
    expect(first.choices[0]!.message.content).toBe('回答：你好')
    expect((first.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBe('想一想')
    const conversationId = [...fake.conversations.keys()].at(-1)!
    expect(first.id).toContain(conversationId)
    expect(fake.streamRequests.at(-1)!.body.meta_data.chat_mode).toBe('zero')

    const stream = await client.chat.completions.create({
      model: 'glm-5-think',
      stream: true,
      messages: [
        { role: 'user', content: '你好' },
        { role: 'assistant', content: first.choices[0]!.message.content! },
        { role: 'user', content: '再说一次' },
      ],
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe('回答：再说一次')
    const sent = fake.streamRequests.at(-1)!.body
    expect(sent.conversation_id).toBe(conversationId)
    expect(promptOf(sent)).toBe('再说一次')
  })

  it('search results come back as url_citation annotations', async () => {
    const client = await start(['rt-good'])
    fake.plan = () => ({ quotes: [{ title: '天气', url: 'https://weather.example/bj' }], text: '晴' })
    const reply = await client.chat.completions.create({ model: 'zhipu', messages: [{ role: 'user', content: '北京天气' }] })
    const annotations = (reply.choices[0]!.message as { annotations?: { url_citation: { url: string } }[] }).annotations
    expect(annotations?.map((a) => a.url_citation.url)).toEqual(['https://weather.example/bj'])
  })

  it('a rotated refresh token is saved before use and survives a restart of the relay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freeway-glm-restart-'))
    try {
      fake.rotate = true
      fake.refreshTokens.set('rt-chain', 'user-7')
      const config = { providers: { 'glm-web': { base_url: fake.url, credentials: ['rt-chain'] } } }
      const ask = async (content: string) =>
        (await app.openai().chat.completions.create({ model: 'zhipu', messages: [{ role: 'user', content }] })).choices[0]!.message.content
      app = await startTestApp({ config, databasePath: join(dir, 'freeway.db') })
      expect(await ask('第一次')).toBe('回答：第一次')
      expect(fake.refreshAttempts).toEqual(['rt-chain'])
      await app.close()

      fake.revokeAccessTokens() // the access token the first process kept is no longer good
      app = await startTestApp({ config, databasePath: join(dir, 'freeway.db') })
      expect(await ask('第二次')).toBe('回答：第二次')
      const second = fake.refreshAttempts[1]!
      expect(second).not.toBe('rt-chain') // the rotated token from the database, not the configured paste
      // The pasted token is spent (the fake's refresh tokens are one-use): starting from it would have failed.
      expect(fake.refreshTokens.has('rt-chain')).toBe(false)
      const live = [...fake.refreshTokens].find(([, account]) => account === 'user-7')![0]
      expect(app.services.pool.entries('glm-web')[0]!.state).toMatchObject({ refreshToken: live })
    } finally {
      await app?.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('fails over from an expired refresh token to a live one', async () => {
    const client = await start(['rt-expired', 'rt-good'])
    for (let i = 0; i < 2; i++) {
      const reply = await client.chat.completions.create({ model: 'chatglm', messages: [{ role: 'user', content: `问题${i}` }] })
      expect(reply.choices[0]!.message.content).toBe(`回答：问题${i}`)
    }
    expect(fake.refreshAttempts).toContain('rt-expired')
  })

  it('deletes one-shot conversations when multi_turn is off', async () => {
    const client = await start(['rt-good'], { multi_turn: false })
    await client.chat.completions.create({ model: 'zhipu', messages: [{ role: 'user', content: '一次性' }] })
    await expect.poll(() => fake.deleted.length).toBe(1)
    expect(fake.conversations.size).toBe(0)
  })

  it('adds a pasted cookie header through PUT /api/cookie', async () => {
    await start([])
    const added = await app.admin('PUT', '/cookie', { provider: 'glm-web', cookie: 'a=1; chatglm_refresh_token=rt-good; b=2' })
    expect(added.status).toBe(200)
    const reply = await app.openai().chat.completions.create({ model: 'zhipu', messages: [{ role: 'user', content: '嗨' }] })
    expect(reply.choices[0]!.message.content).toBe('回答：嗨')
  })

  it('site: intl serves chat.z.ai with a pasted captcha token, and rests a credential without one', async () => {
    const zai = await new FakeZai().start()
    try {
      const withCaptcha = JSON.stringify({ token: zai.addUser('u-1'), captcha_verify_param: 'cap-good' })
      const bare = zai.addUser('u-2')
      app = await startTestApp({ config: { providers: { 'glm-web': { site: 'intl', base_url: zai.url, credentials: [bare, withCaptcha] } } } })
      const client = app.openai()
      zai.plan = () => ({ think: 'thinking…', answer: 'Hi 😊!' })
      const reply = await client.chat.completions.create({ model: 'glm-5.3-think', messages: [{ role: 'user', content: 'hi' }] })
      expect(reply.choices[0]!.message.content).toBe('Hi 😊!')
      expect((reply.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBe('thinking…')
      const rested = app.services.pool.entries('glm-web').find((c) => c.secret === bare)
      expect(rested).toMatchObject({ status: 'cooling', lastError: expect.stringMatching(/requires a captcha token \(FRONTEND_CAPTCHA_REQUIRED/) })
    } finally {
      await app?.close()
      await zai.close()
    }
  })
})
