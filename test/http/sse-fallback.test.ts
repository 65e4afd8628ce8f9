// Without a Node socket (app.request, other runtimes) the SSE responder falls back to a web stream.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApp } from '../../src/app.js'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI
let app: TestApp
beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    env: { ALLOW_ANONYMOUS: '1' },
    config: { providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] } } },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

it('streams the same SSE through a web ReadableStream', async () => {
  const res = await createApp(app.services).request('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }], stream: true }),
  })
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const text = await res.text()
  const content = text
    .split('\n\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)).choices?.[0]?.delta?.content ?? '')
    .join('')
  expect(content).toBe(FAKE_ANSWER.join(''))
  expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
})
