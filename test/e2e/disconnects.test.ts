// Clients that vanish at any moment must never leave a credential slot or a timer behind.
import { connect } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: {
      providers: {
        up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['hang', 'fake-model'], concurrency: 4 },
      },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const open = (model: string, signal: AbortSignal) =>
  fetch(`${app.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }], stream: true }),
    signal,
  })

/** Send a streaming request on a raw socket and drop it after `ms`: the tightest windows. */
function dropAfter(ms: number, model: string): Promise<void> {
  const url = new URL(`${app.baseURL}/chat/completions`)
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }], stream: true })
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      )
      setTimeout(() => {
        socket.destroy()
        resolve()
      }, ms)
    })
    socket.on('error', () => resolve())
  })
}

it('releases every slot when raw sockets drop 0-3 ms after sending', async () => {
  await Promise.all(Array.from({ length: 60 }, (_, i) => dropAfter(i % 4, i % 2 ? 'hang' : 'fake-model')))
  const instance = app.services.instances.get('up')!
  await expect
    .poll(() => app.services.pool.summary(instance, { id: 'hang' }, new Set()), { timeout: 5000 })
    .toBe('1 available')
})

it('releases every slot when streaming clients drop at once, after headers or mid-stream', async () => {
  const runs = Array.from({ length: 24 }, async (_, i) => {
    const controller = new AbortController()
    const pending = open(i % 2 ? 'hang' : 'fake-model', controller.signal).catch(() => undefined)
    if (i % 3 === 0) controller.abort() // before the response
    const res = await pending
    if (res && i % 3 === 1) await res.body?.getReader().read().catch(() => undefined) // after the first chunk
    controller.abort()
  })
  await Promise.all(runs)
  const instance = app.services.instances.get('up')!
  await expect
    .poll(() => app.services.pool.summary(instance, { id: 'hang' }, new Set()), { timeout: 5000 })
    .toBe('1 available')
  const ok = await app.openai().chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] })
  expect(ok.choices[0]!.message.content).toContain('你好')
})
