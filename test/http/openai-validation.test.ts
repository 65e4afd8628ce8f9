// Client input that would fail only after the upstream answered, or would fail in a way that
// looks like the upstream's fault, is refused up front with 400 and never reaches an upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: { providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] } } },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const post = (body: unknown) =>
  fetch(`${app.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

/** Written by hand: JSON.stringify itself overflows on such input. */
const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`

function nested(depth: number): unknown {
  let v: unknown = 'leaf'
  for (let i = 0; i < depth; i++) v = { a: v }
  return v
}

describe('chat request validation', () => {
  it('refuses an image_url part without a url before any upstream call', async () => {
    const before = fake.requests.length
    const res = await post({ model: 'fake-model', messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url' }] }] })
    expect(res.status).toBe(400)
    const { error } = (await res.json()) as any
    expect(error).toMatchObject({ type: 'invalid_request_error', param: 'messages.0.content.1.image_url.url' })
    expect(error.message).toContain('image_url.url')
    expect(fake.requests.length).toBe(before)
  })

  it('refuses a text part without text', async () => {
    const res = await post({ model: 'fake-model', messages: [{ role: 'user', content: [{ type: 'text' }] }] })
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error.param).toBe('messages.0.content.0.text')
  })

  it('refuses a parameter nested 5,000 deep with 400, and the shared credential stays healthy', async () => {
    const before = fake.requests.length
    for (let i = 0; i < 4; i++) {
      const res = await post(`{"model":"fake-model","messages":[{"role":"user","content":"hi"}],"custom":${deepJson(5000)}}`)
      expect(res.status).toBe(400)
      expect(((await res.json()) as any).error.message).toContain('nested deeper than 64')
    }
    expect(fake.requests.length).toBe(before)
    const [credential] = app.services.pool.entries('up')
    expect(credential).toMatchObject({ status: 'active', failures: 0 })
    const ok = await post({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] })
    expect(ok.status).toBe(200)
  })

  it('passes a deep but reasonable tool schema through', async () => {
    const res = await post({
      model: 'fake-model',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: nested(40) } }],
    })
    expect(res.status).toBe(200)
    expect(fake.requests.at(-1)!.body.tools[0].function.parameters).toEqual(nested(40))
  })

  it('refuses pass-through parameters larger than 1 MB in all', async () => {
    const res = await post({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }], blob: 'x'.repeat(1024 * 1024 + 10) })
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error).toMatchObject({ param: 'blob' })
  })
})
