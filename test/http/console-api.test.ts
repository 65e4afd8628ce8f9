// The routes behind the console: /api/stats, /api/models, record filters, and the console's
// static files (a page that is never cached, hashed assets cached for a year, 503 before a build).
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consoleRoutes } from '../../src/http/console.routes.js'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor } from '../helpers/compat.js'

const SECRET = 'stats-secret'
let fake: FakeOpenAI
let app: TestApp
const auth = { authorization: SECRET }

beforeAll(async () => {
  fake = await startFakeOpenAI()
  const up = { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good' }
  app = await startTestApp({
    config: {
      admin: { secret: SECRET },
      providers: { up: { ...up, models: ['fake-model', { id: 'other', upstream: 'fake-model' }] }, dead: { ...up, api_key: 'sk-dead', models: ['dead-model'] } },
      routes: { smart: ['up/fake-model', 'up/other'] },
      aliases: { gpt: 'smart' },
      billing: { prices: { 'fake-model': { per_call: 3 } } },
    },
  })
  await app.admin('PUT', '/key', {}, SECRET) // a key nobody uses
  const alice = await keyFor(app, 'alice', {}, SECRET)
  const bob = await keyFor(app, 'bob', {}, SECRET)
  await call(app, 'POST', '/user/token/add', { user_id: 'alice', token: 100 }, auth)
  await call(app, 'POST', '/user/token/add', { user_id: 'bob', token: 100 }, auth)
  const ask = (key: string, model: string) => app.openai(key).chat.completions.create({ model, messages: [{ role: 'user', content: `hi ${model}` }] })
  await ask(alice, 'fake-model')
  await ask(alice, 'fake-model')
  await ask(bob, 'other')
  await expect(ask(bob, 'dead-model')).rejects.toThrow()
}, 60_000)

afterAll(async () => {
  await app?.close()
  await fake?.close()
})

describe('GET /api/stats', () => {
  it('counts requests, tokens and errors per hour, credentials by status, top users and models', async () => {
    const res = await call(app, 'GET', '/api/stats?hours=3&top=1', undefined, auth)
    expect(res.status).toBe(200)
    const d = res.json.data
    expect(d.hourly.length).toBeGreaterThanOrEqual(3)
    const sum = (f: string) => d.hourly.reduce((a: number, h: Record<string, number>) => a + h[f]!, 0)
    expect(sum('requests')).toBe(4)
    expect(sum('errors')).toBe(1)
    expect(sum('promptTokens') + sum('completionTokens')).toBeGreaterThan(0)
    expect(d.credentials.up).toEqual({ active: 1 })
    expect(d.credentials.dead).toEqual({ invalid: 1 })
    expect(d.topUsers).toEqual([{ name: 'alice', requests: 2, tokens: expect.any(Number) }])
    expect(d.topModels).toHaveLength(1)
  })

  it('refuses without the secret and names a bad parameter', async () => {
    expect((await call(app, 'GET', '/api/stats')).status).toBe(401)
    const bad = await call(app, 'GET', '/api/stats?hours=0', undefined, auth)
    expect(bad.status).toBe(400)
    expect(bad.json.message).toContain('hours')
  })
})

describe('GET /api/models', () => {
  it('lists each model with its providers, suffixes, kind and price, then routes and aliases', async () => {
    const deepseek = (await call(app, 'GET', '/api/models', undefined, auth)).json.data.models.find((m: { id: string }) => m.id === 'deepseek-chat')
    expect(deepseek.suffixes).toEqual(expect.arrayContaining(['search']))
    const d = (await call(app, 'GET', '/api/models', undefined, auth)).json.data
    expect(d.models).toContainEqual({ id: 'fake-model', providers: ['up'], suffixes: [], kind: 'chat', price: expect.objectContaining({ prompt: 0, completion: 0, per_call: 3 }) })
    expect(d.models).toContainEqual({ id: 'other', providers: ['up'], suffixes: [], kind: 'chat', price: null })
    expect(d.routes).toEqual([{ name: 'smart', route: ['up/fake-model', 'up/other'], price: null }])
    expect(d.aliases).toEqual([{ name: 'gpt', target: 'smart' }])
  })
})

describe('record filters', () => {
  it('filters by model (asked for or served) and by time', async () => {
    const list = async (q: string) => (await call(app, 'GET', `/record/list?${q}`, undefined, auth)).json.data
    expect((await list('model=fake-model')).total).toBe(3) // alice's two, and bob's 'other' served by fake-model
    expect((await list('model=other')).total).toBe(1)
    expect((await list('user_id=alice&model=other')).total).toBe(0)
    expect((await list(`since=${Date.now() + 60_000}`)).total).toBe(0)
    expect((await list(`until=${Date.now() + 60_000}&user_id=bob`)).total).toBe(1)
    const bad = await call(app, 'GET', '/record/list?since=yesterday', undefined, auth)
    expect(bad.status).toBe(400)
    expect(bad.json.msg).toContain('since')
  })
})

describe('the console files', () => {
  const built = () => {
    const dir = mkdtempSync(join(tmpdir(), 'freeway-console-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<meta name="freeway-route-prefix" content="%ROUTE_PREFIX%"><script src="assets/main-ABC.js"></script>')
    writeFileSync(join(dir, 'assets', 'main-ABC.js'), 'console.log("console")')
    return dir
  }

  it('serves the page uncached with the route prefix in it, and hashed assets cached for a year', async () => {
    const web = new Hono().route('/', consoleRoutes('/my"prefix', built()))
    web.onError((err, c) => c.json({ message: err.message }, (err as { status?: 404 }).status ?? 500))
    const page = await web.request('/console/')
    expect(page.status).toBe(200)
    expect(page.headers.get('cache-control')).toBe('no-cache')
    expect(await page.text()).toContain('content="/my&quot;prefix"')
    const asset = await web.request('/console/assets/main-ABC.js', { headers: { 'accept-encoding': 'gzip' } })
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(asset.headers.get('content-encoding')).toBe('gzip')
    const again = await web.request('/console/assets/main-ABC.js', { headers: { 'if-none-match': asset.headers.get('etag')! } })
    expect(again.status).toBe(304)
    expect((await web.request('/console/assets/other.js')).status).toBe(404)
    const bare = await web.request('/console')
    expect(bare.status).toBe(301)
    expect(bare.headers.get('location')).toBe('/console/')
  })

  it('says how to build it when dist/console is missing', async () => {
    const empty = new Hono()
    empty.onError((err, c) => c.json({ message: err.message }, 503))
    empty.route('/', consoleRoutes('', mkdtempSync(join(tmpdir(), 'freeway-no-console-'))))
    const missing = await empty.request('/console/')
    expect(missing.status).toBe(503)
    expect(((await missing.json()) as { message: string }).message).toContain('npm run build')
  })
})
