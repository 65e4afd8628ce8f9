import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { startConnectProxy } from '../helpers/connect-proxy.js'

let fake: FakeOpenAI
let proxy: Awaited<ReturnType<typeof startConnectProxy>>
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI()
  proxy = await startConnectProxy()
  app = await startTestApp({
    env: { PROXY_URL: proxy.url },
    config: { providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] } } },
  })
})
afterAll(async () => {
  await app.close()
  await proxy.close()
  await fake.close()
})

it('sends every upstream request through PROXY_URL, streaming or not', async () => {
  const client = app.openai()
  await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] })
  const stream = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }], stream: true })
  let text = ''
  for await (const c of stream) text += c.choices[0]?.delta.content ?? ''
  expect(text).toContain('Hello')
  expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1)
  expect(proxy.tunnels.every((t) => t === `127.0.0.1:${fake.port}`)).toBe(true)
  expect(fake.requests).toHaveLength(2)
})
