// With every slot of the credentials busy, a request waits in line (pool.queue_timeout_ms) instead
// of failing at once; after the wait it gets 503, and a client that goes away leaves the line.
import { afterEach, describe, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI | undefined
let app: TestApp | undefined
afterEach(async () => {
  await app?.close()
  await fake?.close()
  app = fake = undefined
})

async function start(queueTimeoutMs?: number) {
  fake = await startFakeOpenAI(['sk-one'])
  app = await startTestApp({
    config: {
      ...(queueTimeoutMs === undefined ? {} : { pool: { queue_timeout_ms: queueTimeoutMs } }),
      providers: {
        one: { type: 'openai-compatible', base_url: `${fake.url}/v1`, credentials: ['sk-one'], models: ['pause', 'hang'], concurrency: 1 },
      },
    },
  })
  return app
}

const ask = (a: TestApp, model: string, signal?: AbortSignal) =>
  fetch(`${a.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    ...(signal ? { signal } : {}),
  })

describe('requests wait for a slot', () => {
  it('serves every concurrent stream of a one-slot credential, one after another', async () => {
    const a = await start()
    const results = await Promise.all(Array.from({ length: 4 }, () => ask(a, 'pause').then(async (r) => [r.status, await r.text()] as const)))
    for (const [status, text] of results) {
      expect(status).toBe(200)
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    }
    expect(fake!.requests.filter((r) => r.body.model === 'pause')).toHaveLength(4)
  })

  it('answers 503 after pool.queue_timeout_ms when the slot stays busy', async () => {
    const a = await start(150)
    const holder = new AbortController()
    const held = await ask(a, 'hang', holder.signal)
    expect(held.status).toBe(200)
    const res = await ask(a, 'pause')
    expect(res.status).toBe(503)
    expect(((await res.json()) as any).error).toMatchObject({
      code: 'no_available_credential',
      message: 'no usable credential for one: 1 busy (waited 150 ms for a free slot)',
    })
    holder.abort()
  })

  it('takes a client that goes away out of the line', async () => {
    const a = await start()
    const holder = new AbortController()
    const held = await ask(a, 'hang', holder.signal)
    expect(held.status).toBe(200)
    const waiter = new AbortController()
    const waiting = ask(a, 'pause', waiter.signal).catch((e: Error) => e)
    await expect.poll(() => a.services.pool.queued('one')).toBe(1)
    waiter.abort()
    expect(await waiting).toMatchObject({ name: 'AbortError' })
    await expect.poll(() => a.services.pool.queued('one')).toBe(0)
    holder.abort()
    // The slot comes back and nobody is left waiting for it.
    const one = a.services.instances.get('one')!
    await expect.poll(() => a.services.pool.summary(one, { id: 'pause' }, new Set())).toBe('1 available')
    expect(fake!.requests.filter((r) => r.body.model === 'pause')).toHaveLength(0)
  })
})
