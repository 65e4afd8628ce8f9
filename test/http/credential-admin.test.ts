// Credential admin routes write through the one credential store: a change is what the next
// request uses, with nothing for the route to invalidate; bad enable bodies are 400, not 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI(['sk-first', 'sk-second'])
  app = await startTestApp({
    config: { providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, credentials: ['sk-first'], models: ['fake-model'] } } },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const ask = () => app.openai().chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] })
const post = (path: string, body: string) => fetch(`${app.url}/api${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

describe('credential writes take effect at once', () => {
  it('uses a replaced secret, a disabled credential and a deleted one as the next request sees them', async () => {
    const [c] = app.services.pool.entries('up')
    await ask()
    expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer sk-first')

    const updated = await app.admin('POST', '/cookie/update', { id: c!.id, cookie: 'sk-second' })
    expect(updated.json.data).toMatchObject({ cookie: '****cond', verified: true })
    await ask()
    expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer sk-second')

    await app.admin('POST', `/credential/${c!.id}/enable`, { enabled: false })
    expect((await ask().catch((e) => e)).message).toMatch(/no usable credential for up: 1 disabled/)
    await app.admin('POST', `/credential/${c!.id}/enable`)
    await ask()

    expect((await app.admin('DELETE', `/credential/${c!.id}`)).json.code).toBe(0)
    expect((await ask().catch((e) => e)).message).toMatch(/up: no credentials \(add one/)
    expect((await app.admin('GET', '/credential')).json.data).toEqual([])
  })
})

describe('enable body', () => {
  it('is optional, and must be {"enabled": boolean} when given', async () => {
    const { json } = await app.admin('PUT', '/credential', { provider: 'up', secret: 'sk-first' })
    const id = json.data.id
    expect((await post(`/credential/${id}/enable`, '{"enabled":false}')).status).toBe(200)
    expect(app.services.pool.find(Number(id))!.status).toBe('disabled')
    for (const bad of ['null', '{"enabled":"no"}', '[1]', '{not json']) {
      const res = await post(`/credential/${id}/enable`, bad)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { code: number }).code).toBe(1)
    }
    expect((await post(`/credential/${id}/enable`, '')).status).toBe(200)
    expect(app.services.pool.find(Number(id))!.status).toBe('active')
  })
})
