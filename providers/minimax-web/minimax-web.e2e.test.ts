// minimax-web through the whole app with the official openai SDK, against the fake MiniMax Agent.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeMinimaxAgent } from '../../test/fakes/minimax-web.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
const jwtFor = (id: string) => `${b64({ alg: 'HS256' })}.${b64({ user: { id } })}.c2ln`

let fake: FakeMinimaxAgent
let app: TestApp
beforeEach(async () => {
  fake = await new FakeMinimaxAgent().start()
  fake.accounts.set(jwtFor('1001'), '1001')
})
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(credentials: string[], extra: Record<string, unknown> = {}) {
  app = await startTestApp({
    config: { providers: { 'minimax-web': { base_url: fake.url, poll_interval_ms: 5, credentials, ...extra } } },
  })
  return app.openai()
}

describe('minimax-web end to end', () => {
  it('a renewed token survives a restart of the relay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freeway-minimax-restart-'))
    try {
      const original = fake.issueToken('1001', 86_400) // one day left: inside the renewal window
      const config = { providers: { 'minimax-web': { base_url: fake.url, poll_interval_ms: 5, credentials: [original] } } }
      app = await startTestApp({ config, databasePath: join(dir, 'freeway.db') })
      const ask = async (content: string) =>
        (await app.openai().chat.completions.create({ model: 'minimax', messages: [{ role: 'user', content }] })).choices[0]!.message.content
      expect(await ask('一')).toBe('收到：一')
      expect(fake.renewals).toHaveLength(1)
      const renewed = fake.renewals[0]!.issued
      await app.close()

      fake.advance(2 * 86_400) // the configured token has expired meanwhile
      app = await startTestApp({ config, databasePath: join(dir, 'freeway.db') })
      const seenBefore = fake.tokensSeen.length
      expect(await ask('二')).toBe('收到：二')
      expect(fake.renewals).toHaveLength(1) // 40 days left on the renewed one
      expect(new Set(fake.tokensSeen.slice(seenBefore))).toEqual(new Set([renewed]))
      // The original would have been refused now.
      expect(fake.userOf(original)).toBeUndefined()
      expect(fake.userOf(renewed)).toBe('1001')
    } finally {
      await app?.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('answers non-streaming and streaming, continuing the chat on the second turn', async () => {
    const client = await start([jwtFor('1001')])
    fake.plan = (text) => ({ think: '思考', text: `收到：${text}` })
    const first = await client.chat.completions.create({ model: 'MiniMax-M2.5', messages: [{ role: 'user', content: '你好' }] })
    expect(first.choices[0]!.message.content).toBe('收到：你好')
    expect((first.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBe('思考')
    const chatId = [...fake.chats.keys()].at(-1)!
    expect(first.id).toContain(chatId)

    const stream = await client.chat.completions.create({
      model: 'MiniMax-M2.5',
      stream: true,
      messages: [
        { role: 'user', content: '你好' },
        { role: 'assistant', content: first.choices[0]!.message.content! },
        { role: 'user', content: '第二轮' },
      ],
    })
    let text = ''
    let chunks = 0
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta?.content
      if (d) {
        text += d
        chunks++
      }
    }
    expect(text).toBe('收到：第二轮')
    expect(chunks).toBeGreaterThan(1) // polls arrive as a real stream of deltas
    expect(fake.sent.at(-1)).toMatchObject({ text: '第二轮', chatId })
  })

  it('fails over from a dead token to a live one, and deletes one-shot chats', async () => {
    const client = await start([jwtFor('dead'), jwtFor('1001')], { multi_turn: false })
    for (let i = 0; i < 2; i++) {
      const reply = await client.chat.completions.create({ model: 'minimax', messages: [{ role: 'user', content: `问${i}` }] })
      expect(reply.choices[0]!.message.content).toBe(`收到：问${i}`)
    }
    expect(fake.rejectedTokens).toBeGreaterThan(0) // the dead token was tried and set aside
    await expect.poll(() => fake.deleted.length).toBe(2)
  })

  it('adds realUserID+JWT through PUT /api/cookie', async () => {
    await start([])
    const added = await app.admin('PUT', '/cookie', { provider: 'minimax-web', cookie: ` 1001+${jwtFor('1001')} ` })
    expect(added.status).toBe(200)
    const reply = await app.openai().chat.completions.create({ model: 'minimax-auto', messages: [{ role: 'user', content: '嗨' }] })
    expect(reply.choices[0]!.message.content).toBe('收到：嗨')
  })
})
