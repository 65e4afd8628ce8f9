// ark-api chat through the whole relay: the openai SDK calls Freeway, Freeway calls the fake Ark
// with the key DOUBAO_API_KEY seeded.
import { afterEach, describe, expect, it } from 'vitest'
import { ARK_CHAT_PARTS, ARK_KEY, ARK_REASONING, type FakeArk, startFakeArk } from '../../test/fakes/ark-api.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'

let fake: FakeArk
let app: TestApp
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(key = ARK_KEY) {
  fake = await startFakeArk()
  app = await startTestApp({ config: { providers: { 'ark-api': { base_url: `${fake.url}/api/v3` } } }, env: { DOUBAO_API_KEY: key } })
  return app.openai()
}

describe('ark-api end to end', () => {
  it('DOUBAO_API_KEY turns it on: Doubao chat streams and non-streams with upstream usage', async () => {
    const client = await start()
    expect((await client.models.list()).data.map((m) => m.id)).toContain('doubao-seed-1-6-250615')
    const res = await client.chat.completions.create({ model: 'doubao-seed-1-6-250615', messages: [{ role: 'user', content: '你好' }] })
    expect(res.choices[0]!.message.content).toBe(ARK_CHAT_PARTS.join(''))
    expect(res.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 4 })
    const sent = fake.requests.at(-1)!
    expect([sent.path, sent.headers.authorization]).toEqual(['/api/v3/chat/completions', `Bearer ${ARK_KEY}`])

    const stream = await client.chat.completions.create({ model: 'doubao-seed-1-6-250615', messages: [{ role: 'user', content: '你好' }], stream: true })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe(ARK_CHAT_PARTS.join(''))
  })

  it('thinking models answer reasoning_content; endpoint ids route to chat', async () => {
    const client = await start()
    const res = await client.chat.completions.create({ model: 'doubao-seed-1-6-thinking-250715', messages: [{ role: 'user', content: '1+1?' }] })
    expect((res.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBe(ARK_REASONING.join(''))
    const ep = await client.chat.completions.create({ model: 'ep-20261204-abcde', messages: [{ role: 'user', content: 'hi' }] })
    expect(ep.choices[0]!.message.content).toBe(ARK_CHAT_PARTS.join(''))
    expect(fake.requests.at(-1)!.body.model).toBe('ep-20261204-abcde')
  })

  it('a refused key is marked invalid', async () => {
    const client = await start('ark-wrong-key')
    const err = await client.chat.completions.create({ model: 'doubao-seed-1-6-250615', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)
    expect((err as { status?: number }).status).toBeGreaterThanOrEqual(400)
    const creds = await app.admin('GET', '/credential?provider=ark-api')
    expect(creds.json.data[0].status).toBe('invalid')
  })
})
