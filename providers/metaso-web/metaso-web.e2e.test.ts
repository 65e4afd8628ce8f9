// metaso-web through the whole app with the official openai SDK, against the fake metaso.cn.
import { afterEach, describe, expect, it } from 'vitest'
import { type FakeMetaso, startFakeMetaso } from '../../test/fakes/metaso-web.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'

const LIVE = { uid: '65e91a6b2bac5b600dd8526a', sid: '5e7acc465b114236a8d9de26c9f41846' }
const DEAD = { uid: '0000000000000000000000aa', sid: 'ffffffffffffffffffffffffffffffff' }

let fake: FakeMetaso
let app: TestApp
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(credentials: string[]) {
  fake = await startFakeMetaso()
  fake.users.set(LIVE.uid, { sid: LIVE.sid, nickname: '秘塔用户' })
  app = await startTestApp({ config: { providers: { 'metaso-web': { base_url: fake.url, credentials } } } })
  return app.openai()
}

describe('metaso-web end to end', () => {
  it('adds a pasted cookie header through PUT /api/cookie', async () => {
    await start([])
    const added = await app.admin('PUT', '/cookie', { provider: 'metaso-web', cookie: `uid=${LIVE.uid}; sid=${LIVE.sid}; _ga=1` })
    expect(added.status).toBe(200)
    const reply = await app.openai().chat.completions.create({ model: 'metaso', messages: [{ role: 'user', content: '秘塔' }] })
    expect(reply.choices[0]!.message.content).toBe('hello world')
  })

  it('answers non-streaming and streaming with annotations, and a second turn carries the history', async () => {
    const client = await start([`${LIVE.uid}-${LIVE.sid}`])
    const first = await client.chat.completions.create({ model: 'metaso-concise-scholar', messages: [{ role: 'user', content: '秘塔' }] })
    expect(first.choices[0]!.message.content).toBe('hello world')
    const sessionId = [...fake.sessions.keys()].at(-1)!
    expect(first.id).toContain(sessionId)
    expect(fake.sessions.get(sessionId)).toMatchObject({ mode: 'concise', engineType: 'scholar' })
    const annotations = (first.choices[0]!.message as { annotations?: { url_citation: { url: string } }[] }).annotations
    expect(annotations?.map((a) => a.url_citation.url)).toEqual(['https://a.example/1', 'https://b.example/2'])

    const stream = await client.chat.completions.create({
      model: 'metaso',
      stream: true,
      messages: [
        { role: 'user', content: '秘塔' },
        { role: 'assistant', content: 'hello world' },
        { role: 'user', content: '再说说' },
      ],
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toBe('hello world')
    expect(fake.searches.at(-1)!.question).toBe('user: 秘塔\nassistant: hello world\nuser: 再说说')
  })

  it('fails over from a dead account to a live one', async () => {
    const client = await start([`${DEAD.uid}-${DEAD.sid}`, `${LIVE.uid}-${LIVE.sid}`])
    for (let i = 0; i < 2; i++) {
      const reply = await client.chat.completions.create({ model: 'metaso', messages: [{ role: 'user', content: `问题 ${i}` }] })
      expect(reply.choices[0]!.message.content).toBe('hello world')
    }
    expect(fake.sessionAttempts).toContain(DEAD.uid)
    expect(fake.sessionAttempts.at(-1)).toBe(LIVE.uid)
  })
})
