// coze-api through the whole app with the official openai SDK, against the fake Coze server.
import { afterEach, describe, expect, it } from 'vitest'
import { type CozeFake, ECHO_BOT, GOOD_TOKEN, startCozeFake } from '../../test/fakes/coze-api.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'

let fake: CozeFake
let app: TestApp
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(credentials: string[] = [GOOD_TOKEN]) {
  fake = await startCozeFake()
  const block = { base_url: fake.url, credentials, bots: { assistant: ECHO_BOT }, poll_interval_ms: 50 }
  app = await startTestApp({ config: { providers: { 'coze-api': block } } })
  return app.openai()
}

describe('coze-api end to end', () => {
  it('adds a pasted PAT through PUT /api/cookie, checked by the probe', async () => {
    await start([])
    const bad = await app.admin('PUT', '/cookie', { provider: 'coze-api', cookie: 'Bearer pat_not_valid_at_all' })
    expect(bad.status).toBeGreaterThanOrEqual(400)
    const added = await app.admin('PUT', '/cookie', { provider: 'coze-api', cookie: `Authorization: Bearer ${GOOD_TOKEN}` })
    expect(added.status).toBe(200)
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v1/conversations', authorization: `Bearer ${GOOD_TOKEN}` })
  })

  it('lists one model per bot', async () => {
    const client = await start()
    expect((await client.models.list()).data.map((m) => m.id)).toContain('coze-assistant')
  })

  it('answers non-streaming (polled) and streaming, continuing the conversation on the second turn', async () => {
    const client = await start()
    const first = await client.chat.completions.create({ model: 'coze-assistant', messages: [{ role: 'user', content: '你好' }] })
    expect(first.choices[0]!.message.content).toBe('你好！你说的是「你好」。这是第1轮，会话里有1条消息。')
    const chat = [...fake.chats.values()][0]!.chat
    expect(first.usage).toMatchObject({ prompt_tokens: chat.usage.input_count, completion_tokens: chat.usage.output_count })
    expect(fake.requests.some((r) => r.path === '/v3/chat/retrieve')).toBe(true)

    const stream = await client.chat.completions.create({
      model: 'coze-assistant',
      stream: true,
      messages: [
        { role: 'user', content: '你好' },
        { role: 'assistant', content: first.choices[0]!.message.content! },
        { role: 'user', content: '第二个问题' },
      ],
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe('你好！你说的是「第二个问题」。这是第2轮，会话里有3条消息。')
    const second = fake.chatRequests()[1]!
    expect(second.query).toEqual({ conversation_id: chat.conversation_id })
    expect(second.body!.additional_messages).toHaveLength(1)
  })

  it('a bad PAT fails the request with the Coze code, and never produces an answer', async () => {
    const client = await start(['pat_revoked_token_000'])
    const call = client.chat.completions.create({ model: 'coze-assistant', messages: [{ role: 'user', content: '你好' }] })
    // credential_invalid on the only credential: the relay has nothing left to serve with (503)
    await expect(call).rejects.toMatchObject({ status: 503, message: expect.stringContaining('4100') })
    expect(fake.chatRequests()[0]!.authorization).toBe('Bearer pat_revoked_token_000')
  })
})
