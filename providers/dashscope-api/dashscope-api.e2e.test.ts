// dashscope-api chat and vision through the whole relay: the openai SDK calls Freeway, Freeway calls
// the fake DashScope's compatible mode with the key DASHSCOPE_API_KEY seeded.
import { afterEach, describe, expect, it } from 'vitest'
import { CHAT_PARTS, DASHSCOPE_ARREARS_KEY, DASHSCOPE_KEY, type FakeDashScope, startFakeDashScope } from '../../test/fakes/dashscope-api.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'

let fake: FakeDashScope
let app: TestApp
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(key = DASHSCOPE_KEY) {
  fake = await startFakeDashScope()
  app = await startTestApp({ config: { providers: { 'dashscope-api': { base_url: fake.url } } }, env: { DASHSCOPE_API_KEY: key } })
  return app.openai()
}

describe('dashscope-api end to end', () => {
  it('is off on a fresh install', async () => {
    app = await startTestApp()
    const ids = (await app.openai().models.list()).data.map((m) => m.id)
    expect(ids).not.toContain('qwen-plus')
  })

  it('DASHSCOPE_API_KEY turns it on: chat streams and non-streams with upstream usage', async () => {
    const client = await start()
    expect((await client.models.list()).data.map((m) => m.id)).toContain('qwen-plus')
    const res = await client.chat.completions.create({ model: 'qwen-plus', messages: [{ role: 'user', content: '你好' }] })
    expect(res.choices[0]!.message.content).toBe(CHAT_PARTS.join(''))
    expect(res.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 6 })
    const sent = fake.requests.at(-1)!
    expect([sent.path, sent.headers.authorization]).toEqual(['/compatible-mode/v1/chat/completions', `Bearer ${DASHSCOPE_KEY}`])

    const stream = await client.chat.completions.create({ model: 'qwen-plus', messages: [{ role: 'user', content: '你好' }], stream: true })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe(CHAT_PARTS.join(''))
  })

  it('qwen-vl-max sees image parts (vision through compatible mode)', async () => {
    const client = await start()
    const url = 'https://img.example/cat.png'
    const res = await client.chat.completions.create({
      model: 'qwen-vl-max',
      messages: [{ role: 'user', content: [{ type: 'text', text: '这是什么？' }, { type: 'image_url', image_url: { url } }] }],
    })
    expect(res.choices[0]!.message.content).toBe(`看到 1 张图片：${url}`)
    expect(fake.requests.at(-1)!.body.messages[0].content[1]).toEqual({ type: 'image_url', image_url: { url } })
  })

  it('an account in arrears (400 Arrearage) is out of credit, not a bad request', async () => {
    const client = await start(DASHSCOPE_ARREARS_KEY)
    const err = await client.chat.completions.create({ model: 'qwen-plus', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
    expect((err as { status?: number }).status).not.toBe(400)
    const creds = await app.admin('GET', '/credential?provider=dashscope-api')
    expect(creds.json.data).toHaveLength(1)
    // Out of credit cools the key down; only a refused key would be marked invalid.
    expect(creds.json.data[0].status).not.toBe('invalid')
    expect(JSON.stringify(creds.json)).not.toContain(DASHSCOPE_ARREARS_KEY)
  })
})
