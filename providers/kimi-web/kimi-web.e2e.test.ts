// kimi-web through the whole app with the official openai SDK, against the fake www.kimi.com.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type FakeKimi, makeKimiJwt, startFakeKimi } from '../../test/fakes/kimi-web.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'

let fake: FakeKimi
let app: TestApp
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(credentials: string[]) {
  fake = await startFakeKimi()
  app = await startTestApp({ config: { providers: { 'kimi-web': { base_url: fake.url, auth_url: fake.url, credentials } } } })
  return app.openai()
}

const ask = async (a: TestApp, content: string) =>
  (await a.openai().chat.completions.create({ model: 'kimi', messages: [{ role: 'user', content }] })).choices[0]!.message.content

describe('kimi-web end to end', () => {
  it('adds the pasted localStorage pair through PUT /api/cookie without spending the refresh token to verify it', async () => {
    await start([])
    const pair = fake.auth.login({ sub: 'pasted-pair' })
    const pasted = JSON.stringify({ access_token: JSON.stringify(pair.accessToken), refresh_token: JSON.stringify(pair.refreshToken) })
    const added = await app.admin('PUT', '/cookie', { provider: 'kimi-web', cookie: pasted })
    expect(added.status).toBe(200)
    expect(await ask(app, '1+1=')).toBe('答案是 42')
    expect(fake.auth.refreshes).toHaveLength(0)
    expect(fake.bearers.every((b) => b === pair.accessToken)).toBe(true)
  })

  it('a rotated refresh token survives a restart of the relay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freeway-kimi-restart-'))
    try {
      fake = await startFakeKimi()
      const original = fake.auth.login({ sub: 'restart-user' }).refreshToken
      const config = { providers: { 'kimi-web': { base_url: fake.url, auth_url: fake.url, credentials: [original] } } }
      app = await startTestApp({ config, databasePath: join(dir, 'freeway.db') })
      expect(await ask(app, '第一次')).toBe('答案是 42')
      expect(fake.auth.refreshes.map((r) => [r.token === original, r.status])).toEqual([[true, 200]])
      await app.close()

      fake.auth.advance(20 * 60) // the access token the first process got has expired meanwhile
      app = await startTestApp({ config, databasePath: join(dir, 'freeway.db') })
      expect(await ask(app, '第二次')).toBe('答案是 42')
      const second = fake.auth.refreshes[1]!
      expect(second).toMatchObject({ status: 200 })
      expect(second.token).not.toBe(original) // the rotated token from the database, not the configured paste
      expect(fake.auth.usedRefresh.has(second.token)).toBe(true)
      // The original is spent: the fake refuses it, so starting from the paste would have failed.
      const reuse = await fetch(`${fake.url}/api/account.gateway.v1.AuthService/RefreshToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: original }),
      })
      expect(reuse.status).toBe(401)
      expect(await reuse.json()).toEqual({ code: 'unauthenticated', message: 'invalid claims' })
    } finally {
      await app?.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('adds a pasted kimi-auth cookie header through PUT /api/cookie', async () => {
    await start([])
    const token = makeKimiJwt({ sub: 'pasted-user' })
    const added = await app.admin('PUT', '/cookie', { provider: 'kimi-web', cookie: `theme=dark; kimi-auth=${token}` })
    expect(added.status).toBe(200)
    const client = app.openai()
    const reply = await client.chat.completions.create({ model: 'kimi', messages: [{ role: 'user', content: '1+1=' }] })
    expect(reply.choices[0]!.message.content).toBe('答案是 42')
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${token}`)
  })

  it('answers non-streaming and streaming, continuing the chat on the second turn', async () => {
    fake = await startFakeKimi()
    const block = { base_url: fake.url, auth_url: fake.url, credentials: [fake.auth.login().refreshToken] }
    app = await startTestApp({ config: { providers: { 'kimi-web': block } } })
    const client = app.openai()
    const first = await client.chat.completions.create({ model: 'kimi-thinking', messages: [{ role: 'user', content: '1+1=' }] })
    expect(first.choices[0]!.message.content).toBe('答案是 42')
    const chatId = [...fake.chats.keys()].at(-1)!
    expect(first.id).toContain(chatId)

    const stream = await client.chat.completions.create({
      model: 'kimi-thinking',
      stream: true,
      messages: [
        { role: 'user', content: '1+1=' },
        { role: 'assistant', content: first.choices[0]!.message.content! },
        { role: 'user', content: '再算一次' },
      ],
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe('答案是 42')
    const payload = fake.requests.at(-1)!.payload as { chat_id?: string; message: { parent_id?: string; blocks: [{ text: { content: string } }] } }
    expect(payload.chat_id).toBe(chatId)
    expect(payload.message.parent_id).toBeTruthy()
    expect(payload.message.blocks[0].text.content).toBe('再算一次')
  })

  it('search sources come back as url_citation annotations', async () => {
    const client = await start([makeKimiJwt()])
    const reply = await client.chat.completions.create({ model: 'kimi-search', messages: [{ role: 'user', content: '北京天气' }] })
    expect(reply.choices[0]!.message.content).toBe('答案是 42')
    const annotations = (reply.choices[0]!.message as { annotations?: { url_citation: { url: string } }[] }).annotations
    expect(annotations?.map((a) => a.url_citation.url)).toEqual(['https://weather.example/bj', 'https://forecast.example/'])
  })

  it('deletes one-shot chats upstream when multi_turn is off', async () => {
    fake = await startFakeKimi()
    const block = { base_url: fake.url, auth_url: fake.url, credentials: [fake.auth.login().refreshToken], multi_turn: false }
    app = await startTestApp({ config: { providers: { 'kimi-web': block } } })
    const reply = await app.openai().chat.completions.create({ model: 'kimi', messages: [{ role: 'user', content: '1+1=' }] })
    expect(reply.choices[0]!.message.content).toBe('答案是 42')
    await expect.poll(() => fake.deleted.length).toBe(1)
    expect(fake.chats.size).toBe(0)
  })

  it('fails over from a dead account to a live one', async () => {
    const client = await start([makeKimiJwt({ sub: 'dead' }), makeKimiJwt({ sub: 'alive' })])
    fake.revokedSubs.add('dead')
    for (let i = 0; i < 2; i++) {
      const reply = await client.chat.completions.create({ model: 'kimi', messages: [{ role: 'user', content: `问题 ${i}` }] })
      expect(reply.choices[0]!.message.content).toBe('答案是 42')
    }
    expect(fake.requests.some((r) => r.headers['x-traffic-id'] === 'dead')).toBe(true)
    expect(fake.requests.at(-1)!.headers['x-traffic-id']).toBe('alive')
  })
})
