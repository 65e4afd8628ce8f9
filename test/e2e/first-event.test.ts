// timeout_ms covers the first content byte, not only the headers: an upstream that answers 200
// and then sends only keep-alive comments is an upstream timeout (504), its connection is closed,
// and the relay fails over like for any other timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CommentOnlyUpstream, startCommentOnlyUpstream } from '../fakes/comment-only-upstream.js'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let quiet: CommentOnlyUpstream
let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  quiet = await startCommentOnlyUpstream('sk-quiet')
  fake = await startFakeOpenAI(['sk-good'])
  app = await startTestApp({
    config: {
      providers: {
        quiet: { type: 'openai-compatible', base_url: `${quiet.url}/v1`, credentials: ['sk-quiet'], models: ['quiet-model'], timeout_ms: 300 },
        good: { type: 'openai-compatible', base_url: `${fake.url}/v1`, credentials: ['sk-good'], models: ['fake-model'] },
      },
      routes: { 'quiet-then-good': ['quiet:quiet-model', 'good:fake-model'] },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
  await quiet.close()
})

const ask = (model: string, stream: boolean) =>
  fetch(`${app.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream }),
    // Far above timeout_ms: only a relay that never gives up reaches it.
    signal: AbortSignal.timeout(8000),
  })

describe('an upstream that sends only comments', () => {
  it.each([false, true])('is a 504 upstream timeout (stream: %s), and its connection is closed', async (stream) => {
    const before = { accepted: quiet.accepted, closed: quiet.closed }
    const res = await ask('quiet-model', stream)
    expect(res.status).toBe(504)
    expect(((await res.json()) as any).error).toMatchObject({ code: 'upstream_timeout', message: expect.stringContaining('quiet sent no content within 300 ms') })
    expect(quiet.accepted).toBe(before.accepted + 1)
    await expect.poll(() => quiet.closed, { timeout: 3000 }).toBe(before.closed + 1)
  })

  it('fails over to the next candidate of a route', async () => {
    const res = await ask('quiet-then-good', false)
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).choices[0].message.content).toContain('你好')
    expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer sk-good')
  })
})
