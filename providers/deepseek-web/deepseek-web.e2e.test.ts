// deepseek-web through the whole app with the official openai SDK, against the fake chat.deepseek.com.
import { afterEach, describe, expect, it } from 'vitest'
import { type FakeDeepseek, type FakeDeepseekOptions, startFakeDeepseek } from '../../test/fakes/deepseek-web.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'
import { drainChat } from '../../test/helpers/sdk.js'

let fake: FakeDeepseek
let app: TestApp
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(credentials: string[], block: Record<string, unknown> = {}, options: FakeDeepseekOptions = {}) {
  fake = await startFakeDeepseek({ userTokens: ['live-token', 'second-token'], ...options })
  app = await startTestApp({ config: { providers: { 'deepseek-web': { base_url: fake.url, credentials, ...block } } } })
  return app.openai()
}

const user = (content: string) => [{ role: 'user' as const, content }]

describe('deepseek-web end to end', () => {
  it('adds a pasted localStorage value through PUT /api/cookie and answers with it', async () => {
    await start([])
    const added = await app.admin('PUT', '/cookie', { provider: 'deepseek-web', cookie: '{"value":"second-token","__version":"0"}' })
    expect(added.status).toBe(200)
    const reply = await app.openai().chat.completions.create({ model: 'deepseek-chat', messages: user('你好') })
    expect(reply.choices[0]!.message.content).toBe('第1轮回答：你好。')
    expect(fake.calls.find((c) => c.path === '/api/v0/users/current')!.headers.authorization).toBe('Bearer second-token')
  })

  it('answers non-streaming, then streams the second turn of the same upstream conversation', async () => {
    const client = await start(['live-token'])
    const first = await client.chat.completions.create({ model: 'deepseek-reasoner', messages: user('第一问') })
    const message = first.choices[0]!.message as { content: string; reasoning_content?: string }
    expect(message.content).toBe('第1轮回答：第一问。')
    expect(message.reasoning_content).toBe('用户在第1轮说“第一问”，我来想想。')
    const sessionId = [...fake.sessions.keys()][0]!
    expect(first.id).toContain(sessionId)

    const stream = await client.chat.completions.create({
      model: 'deepseek-reasoner',
      stream: true,
      messages: [...user('第一问'), { role: 'assistant', content: message.content }, ...user('第二问')],
    })
    const { text, reasoning } = await drainChat(stream)
    expect(text).toBe('第2轮回答：第二问。')
    expect(reasoning).toBe('用户在第2轮说“第二问”，我来想想。')
    expect(fake.sessions.size).toBe(1)
    expect(fake.completions.at(-1)!.body).toMatchObject({ chat_session_id: sessionId, parent_message_id: 2, prompt: '第二问' })
  })

  it('returns search sources as url_citation annotations, markers removed', async () => {
    const client = await start(['live-token'])
    const reply = await client.chat.completions.create({ model: 'deepseek-chat-search', messages: user('天气') })
    expect(reply.choices[0]!.message.content).toBe('第1轮回答：天气。')
    const annotations = (reply.choices[0]!.message as { annotations?: { url_citation: { url: string } }[] }).annotations
    expect(annotations?.map((a) => a.url_citation.url)).toEqual(['https://example.cn/a', 'https://example.cn/b'])
  })

  it('deletes one-shot conversations upstream when multi_turn is off', async () => {
    const client = await start(['live-token'], { multi_turn: false })
    await client.chat.completions.create({ model: 'deepseek-chat', messages: user('一次性') })
    await expect.poll(() => fake.deleted.length).toBe(1)
    expect(fake.deleted[0]).toBe([...fake.sessions.keys()][0])
  })

  it('fails over from a dead account to a live one', async () => {
    const client = await start(['dead-token', 'live-token'])
    for (let i = 0; i < 2; i++) {
      const reply = await client.chat.completions.create({ model: 'deepseek-chat', messages: user(`问题 ${i}`) })
      expect(reply.choices[0]!.message.content).toBe(`第1轮回答：问题 ${i}。`)
    }
    const tokenCalls = fake.calls.filter((c) => c.path === '/api/v0/users/current').map((c) => c.headers.authorization)
    expect(tokenCalls).toContain('Bearer dead-token')
    expect(tokenCalls.at(-1)).toBe('Bearer live-token')
  })

  it('takes a token pasted with the WAF cookies and answers an image question on deepseek-vision', async () => {
    const cookies = { ds_session_id: 'sess-1', 'aws-waf-token': 'waf-1' }
    await start([], { upload_poll_ms: 10 }, { requireCookies: cookies })
    const pasted = JSON.stringify({ userToken: { value: 'second-token' }, cookie: 'ds_session_id=sess-1; aws-waf-token=waf-1; smidV2=x' })
    expect((await app.admin('PUT', '/cookie', { provider: 'deepseek-web', cookie: pasted })).status).toBe(200)
    const png = Buffer.from('89504e470d0a1a0a', 'hex')
    const reply = await app.openai().chat.completions.create({
      model: 'deepseek-vision',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '图里有什么' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
          ],
        },
      ],
    })
    expect(reply.choices[0]!.message.content).toBe(`第1轮回答（看到1张图：image/png ${png.length}字节）：图里有什么。`)
    expect(fake.completions.at(-1)!.body).toMatchObject({ model_type: 'vision', ref_file_ids: [...fake.files.keys()] })
    expect(reply.usage?.total_tokens).toBe([...'图里有什么'].length + [...reply.choices[0]!.message.content!].length)
  })
})
