// Rate limits through the real relay: a key's rpm, tpm and concurrency, per-model limits, a
// user's limits over its keys, and the config's defaults, answered as OpenAI does (429
// rate_limit_exceeded, Retry-After, x-ratelimit-* on every answer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_USAGE, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor } from '../helpers/compat.js'

let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: {
      providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'other-model', 'hang'] } },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

function chat(key: string, model = 'fake-model', extra: { stream?: boolean; signal?: AbortSignal; path?: string } = {}) {
  return fetch(`${app.baseURL}${extra.path ?? '/chat/completions'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...(extra.stream ? { stream: true } : {}) }),
    ...(extra.signal ? { signal: extra.signal } : {}),
  })
}

describe('a key with an rpm limit', () => {
  it('answers with the x-ratelimit headers, then 429 rate_limit_exceeded with Retry-After', async () => {
    const key = await keyFor(app, 'rpm-user', { rpm: 2 })
    const first = await chat(key)
    expect(first.status).toBe(200)
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2')
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1')
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+s$/)
    await first.text()
    const second = await chat(key, 'fake-model', { stream: true })
    expect(second.status).toBe(200)
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    await second.text()
    const third = await chat(key)
    expect(third.status).toBe(429)
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(29)
    expect(third.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    const body = (await third.json()) as { error: { type: string; code: string; message: string } }
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' })
    expect(body.error.message).toContain('requests per minute')
  })

  it('refuses on every door (the check is in the shared preparation)', async () => {
    const key = await keyFor(app, 'doors-user', { rpm: 1 })
    expect((await chat(key)).status).toBe(200)
    const messages = await fetch(`${app.baseURL}/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'fake-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(messages.status).toBe(429)
    expect(messages.headers.get('retry-after')).toBeTruthy()
    expect(((await messages.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error')
  })

  it('holds on the hono app too (app.fetch, the same preparation)', async () => {
    const key = await keyFor(app, 'fetch-user', { rpm: 1, concurrency: 1 })
    const request = () =>
      app.app.fetch(
        new Request(`${app.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] }),
        }),
        undefined as never,
      )
    const first = await request()
    expect(first.status).toBe(200)
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    await first.text()
    const second = await request()
    expect(second.status).toBe(429)
    expect(second.headers.get('retry-after')).toBeTruthy()
    expect(second.headers.get('x-ratelimit-limit-requests')).toBe('1')
  })

  it('leaves keys without limits alone (no headers)', async () => {
    const key = await keyFor(app, 'free-user')
    for (let i = 0; i < 5; i++) {
      const res = await chat(key)
      expect(res.status).toBe(200)
      expect(res.headers.get('x-ratelimit-limit-requests')).toBeNull()
      await res.text()
    }
  })
})

describe('tokens per minute', () => {
  it('counts the settled usage and refuses once the minute is spent', async () => {
    const key = await keyFor(app, 'tpm-user', { tpm: FAKE_USAGE.total_tokens + 5 })
    const first = await chat(key)
    expect(first.status).toBe(200)
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe(String(FAKE_USAGE.total_tokens + 5))
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe(String(FAKE_USAGE.total_tokens + 5))
    await first.text()
    const second = await chat(key)
    expect(second.status).toBe(200)
    expect(second.headers.get('x-ratelimit-remaining-tokens')).toBe('5')
    await second.text()
    const third = await chat(key)
    expect(third.status).toBe(429)
    expect(((await third.json()) as { error: { message: string } }).error.message).toContain('tokens per minute')
  })
})

describe('concurrency', () => {
  it('refuses a second request while one runs and takes one again once the client aborts', async () => {
    const key = await keyFor(app, 'conc-user', { concurrency: 1 })
    const abort = new AbortController()
    const running = await chat(key, 'hang', { stream: true, signal: abort.signal })
    expect(running.status).toBe(200)
    const busy = await chat(key)
    expect(busy.status).toBe(429)
    expect(((await busy.json()) as { error: { message: string } }).error.message).toContain('concurrent requests')
    abort.abort()
    await running.text().catch(() => undefined)
    let after = await chat(key)
    for (let i = 0; i < 50 && after.status === 429; i++) {
      await after.text()
      await new Promise((r) => setTimeout(r, 20))
      after = await chat(key)
    }
    expect(after.status).toBe(200)
    await after.text()
  })
})

describe('per-model limits, user limits and defaults', () => {
  it('limits one model of a key and leaves its others alone', async () => {
    const key = await keyFor(app, 'model-user', { limits: { models: { 'fake-model': { rpm: 1 } } } })
    expect((await chat(key)).status).toBe(200)
    expect((await chat(key)).status).toBe(429)
    const other = await chat(key, 'other-model')
    expect(other.status).toBe(200)
    expect(other.headers.get('x-ratelimit-limit-requests')).toBeNull()
  })

  it("a user's limit holds over all of its keys, set with POST /user/limits", async () => {
    const set = await fetch(`${app.url}/user/limits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'team', rpm: 2 }),
    })
    expect(set.status).toBe(200)
    expect(((await set.json()) as { data: { limits: unknown } }).data.limits).toEqual({ rpm: 2, tpm: null, concurrency: null })
    const a = await keyFor(app, 'team')
    const b = await keyFor(app, 'team')
    expect((await chat(a)).status).toBe(200)
    expect((await chat(b)).status).toBe(200)
    expect((await chat(a)).status).toBe(429)
    expect((await chat(b)).status).toBe(429)
    // Cleared, the user is free again.
    await fetch(`${app.url}/user/limits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: 'team' }) })
    expect((await chat(a)).status).toBe(200)
  })

  it('shows and changes the limits through /api/key/update', async () => {
    const created = await app.admin('PUT', '/key', { remark: 'upd', rpm: 5 })
    expect(created.json.data).toMatchObject({ rpm: 5, tpm: null, concurrency: null, limits: null })
    const updated = await app.admin('POST', '/key/update', { id: created.json.data.id, rpm: 1, concurrency: 3 })
    expect(updated.json.data).toMatchObject({ rpm: 1, concurrency: 3 })
    const key = created.json.data.apiKey as string
    expect((await chat(key)).status).toBe(200)
    expect((await chat(key)).status).toBe(429)
  })
})

describe('config defaults', () => {
  it('apply to every key without its own limits', async () => {
    const own = await startTestApp({
      config: {
        providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] } },
        limits: { defaults: { rpm: 1 } },
      },
    })
    try {
      const res = await own.admin('PUT', '/key', { remark: 'd' })
      const key = res.json.data.apiKey as string
      const call = () =>
        fetch(`${own.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] }),
        })
      expect((await call()).status).toBe(200)
      expect((await call()).status).toBe(429)
    } finally {
      await own.close()
    }
  })
})
