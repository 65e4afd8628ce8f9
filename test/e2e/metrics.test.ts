// GET /metrics after real requests through the relay to a fake upstream: the counts, tokens,
// histograms, failures, pool gauges and rate-limit refusals say what was sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_USAGE, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

const ADMIN = 'admin-secret-for-metrics'
const TOKEN = 'scrape-token-1234'
let fake: FakeOpenAI
let app: TestApp
let key: string

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: {
      admin: { secret: ADMIN },
      metrics: { token: TOKEN },
      providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'broken'] } },
    },
  })
  key = (await app.admin('PUT', '/key', { remark: 'm', rpm: 4 }, ADMIN)).json.data.apiKey
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const chat = (model: string, stream = false) =>
  fetch(`${app.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream }),
  })

const scrape = (auth?: string) => fetch(`${app.url}/metrics`, auth ? { headers: { authorization: auth } } : {})

/** The value of one sample line, e.g. `freeway_requests_total{route="chat",status="200",model="fake-model"}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return Number.NaN
}

describe('GET /metrics', () => {
  it('refuses scrapers without the token or the admin secret', async () => {
    expect((await scrape()).status).toBe(401)
    expect((await scrape('Bearer wrong-token-000')).status).toBe(401)
    expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(200)
    expect((await scrape(ADMIN)).status).toBe(200)
  })

  it('counts what was sent', async () => {
    for (const stream of [false, false, true]) {
      const res = await chat('fake-model', stream)
      expect(res.status).toBe(200)
      await res.text()
    }
    const failed = await chat('broken')
    expect(failed.status).toBeGreaterThanOrEqual(500)
    await failed.text()
    const refused = await chat('fake-model')
    expect(refused.status).toBe(429)
    await refused.text()

    const res = await scrape(`Bearer ${TOKEN}`)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(sample(text, 'freeway_requests_total', { route: 'chat', status: '200', model: 'fake-model' })).toBe(3)
    expect(sample(text, 'freeway_requests_total', { route: 'chat', model: 'broken' })).toBe(1)
    expect(sample(text, 'freeway_tokens_total', { model: 'fake-model', direction: 'in' })).toBe(3 * FAKE_USAGE.prompt_tokens)
    expect(sample(text, 'freeway_tokens_total', { model: 'fake-model', direction: 'out' })).toBe(3 * FAKE_USAGE.completion_tokens)
    expect(sample(text, 'freeway_request_duration_seconds_count', { route: 'chat', model: 'fake-model' })).toBe(3)
    expect(sample(text, 'freeway_time_to_first_byte_seconds_count', { model: 'fake-model' })).toBe(3)
    expect(sample(text, 'freeway_upstream_errors_total', { provider: 'up' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'freeway_rate_limit_rejections_total')).toBe(1)
    expect(sample(text, 'freeway_pool_credentials', { provider: 'up', status: 'active' })).toBe(1)
    expect(sample(text, 'freeway_inflight_requests')).toBe(0)
  })
})
