// The Node fast lane answers POST /v1/chat/completions itself; it must look exactly like the hono
// route: same body, same headers (request id, CORS, Server-Timing), same errors. Without a Node
// socket (app.request, other runtimes) the hono route streams through a web ReadableStream.
import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.js'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI
let app: TestApp
beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    env: { ALLOW_ANONYMOUS: '1' },
    config: {
      server: { body_limit: '2kb' },
      providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] } },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const chat = (stream: boolean) => JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }], stream })
const init = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', origin: 'https://chat.example', ...headers },
  body,
})

describe('fast lane', () => {
  it('streams with the request id, CORS and Server-Timing headers', async () => {
    const res = await fetch(`${app.baseURL}/chat/completions`, init(chat(true), { 'x-request-id': 'req-fast-1' }))
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(res.headers.get('x-request-id')).toBe('req-fast-1')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Server-Timing/)
    expect(res.headers.get('server-timing')).toMatch(/^relay;dur=\d+\.\d\d$/)
    const text = await res.text()
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
  })

  it('answers exactly as the hono route does, query string and all', async () => {
    const viaLane = await fetch(`${app.baseURL}/chat/completions?trace=1`, init(chat(false)))
    const viaHono = await createApp(app.services).request('/v1/chat/completions', init(chat(false)))
    expect(viaLane.status).toBe(200)
    expect(viaHono.status).toBe(200)
    const [a, b] = [(await viaLane.json()) as any, (await viaHono.json()) as any]
    expect(a.choices[0].message.content).toBe(FAKE_ANSWER.join(''))
    expect({ ...a, id: '', created: 0 }).toEqual({ ...b, id: '', created: 0 })
    // Without one from the client, the request id is a time-ordered UUIDv7 (see ids.ts).
    expect(viaLane.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    for (const name of ['access-control-allow-origin', 'content-type'])
      expect(viaLane.headers.get(name)).toBe(viaHono.headers.get(name))
  })

  it('renders errors in OpenAI shape with the request id, like the hono route', async () => {
    const bad = '{"model":'
    const viaLane = await fetch(`${app.baseURL}/chat/completions`, init(bad, { 'x-request-id': 'req-bad' }))
    const viaHono = await createApp(app.services).request('/v1/chat/completions', init(bad))
    expect(viaLane.status).toBe(400)
    expect(viaLane.headers.get('x-request-id')).toBe('req-bad')
    expect(await viaLane.json()).toEqual(await viaHono.json())
  })

  it('refuses a chunked body past the limit with 413 and closes the connection', async () => {
    const { status, body, closed } = await new Promise<{ status: number; body: string; closed: boolean }>((resolve, reject) => {
      const req = httpRequest(`${app.baseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode!, body: text, closed: res.headers.connection === 'close' }))
      })
      req.on('error', reject)
      req.write(`{"model":"fake-model","messages":[{"role":"user","content":"${'x'.repeat(3000)}`) // no content-length
      req.end('"}]}')
    })
    expect(status).toBe(413)
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'request_too_large' } })
    expect(closed).toBe(true)
  })
})

describe('request tracking for the idle trim', () => {
  it('reports each request, fast lane or hono, as begun and then over', async () => {
    let begun = 0
    let over = 0
    const tracked = await startTestApp({
      env: { ALLOW_ANONYMOUS: '1' },
      config: { providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] } } },
      onRequest: () => {
        begun++
        return () => over++
      },
    })
    try {
      await (await fetch(`${tracked.baseURL}/chat/completions`, init(chat(false)))).text()
      await (await fetch(`${tracked.baseURL}/chat/completions`, init(chat(true)))).text()
      await (await fetch(`${tracked.url}/health`)).text()
      await new Promise((done) => setTimeout(done, 50))
      expect(begun).toBe(3)
      expect(over).toBe(3)
    } finally {
      await tracked.close()
    }
  })
})

describe('hono route without a Node socket', () => {
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
    // The base headers reach the web stream too (they were once missing on streams).
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('x-request-id')).toBeTruthy()
  })
})
