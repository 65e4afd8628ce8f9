// The admin API contract: auth, envelope, duplicates, masking, key and credential lifecycles.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

const SECRET = 'admin-secret-123'
let fake: FakeOpenAI
let app: TestApp
const admin = (method: string, path: string, body?: unknown, secret: string | undefined = SECRET) =>
  app.admin(method, path, body, secret)

beforeAll(async () => {
  fake = await startFakeOpenAI(['sk-upstream-good', 'sk-upstream-two'])
  app = await startTestApp({
    env: { BACKEND_SECRET: SECRET },
    config: { providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, models: ['fake-model', 'tools'] } } },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

describe('auth', () => {
  it('accepts the secret bare or as Bearer, refuses anything else with code 1', async () => {
    expect(await admin('POST', '/auth/verify')).toEqual({ status: 200, json: { code: 0, message: 'success' } })
    expect((await admin('POST', '/auth/verify', undefined, `Bearer ${SECRET}`)).status).toBe(200)
    expect(await admin('POST', '/auth/verify', undefined, 'wrong')).toEqual({ status: 401, json: { code: 1, message: 'invalid admin secret' } })
    const rejected = await fetch(`${app.url}/api/key/all`, { headers: { authorization: 'wrong', 'x-request-id': 'trace-1' } })
    expect(rejected.headers.get('x-request-id')).toBe('trace-1')
    expect((await admin('GET', '/key/all', undefined, '')).status).toBe(401)
  })

  it('without BACKEND_SECRET answers loopback callers', async () => {
    const open = await startTestApp()
    try {
      expect((await open.admin('POST', '/auth/verify')).json.code).toBe(0)
    } finally {
      await open.close()
    }
  })

  it('is not mounted with BACKEND_API_ENABLE=0', async () => {
    const off = await startTestApp({ env: { BACKEND_API_ENABLE: '0' } })
    try {
      expect((await fetch(`${off.url}/api/auth/verify`, { method: 'POST' })).status).toBe(404)
    } finally {
      await off.close()
    }
  })
})

describe('client keys', () => {
  it('generates a key shown once, lists it masked, refuses duplicates, and the key works', async () => {
    const created = await admin('PUT', '/key', { remark: 'team' })
    expect(created.json).toMatchObject({ code: 0, message: 'success', data: { id: expect.any(String), remark: 'team' } })
    const key: string = created.json.data.apiKey
    expect(key).toMatch(/^sk-fw-/)
    const list = await admin('GET', '/key/all')
    const row = list.json.data.find((k: any) => k.id === created.json.data.id)
    expect(row.apiKey).toBe(`${key.slice(0, 6)}…${key.slice(-4)}`)
    expect(JSON.stringify(list.json)).not.toContain(key)

    const own = await admin('PUT', '/key', { apiKey: 'sk-my-own-key-1234', remark: 'mine' })
    expect(own.json.data.apiKey).toBe('sk-my-own-key-1234')
    const dup = await admin('PUT', '/key', { apiKey: 'sk-my-own-key-1234' })
    expect(dup).toEqual({ status: 400, json: { code: 1, message: 'API-KEY already exists' } })

    const res = await app.openai(key).chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e)
    // No upstream credential yet: the key passed auth and the relay explains what is missing and how to add it.
    expect(res.status).toBe(503)
    expect(res.message).toMatch(/no usable credential for up: no credentials \(add one with PUT \/api\/cookie \{"provider": "up"/)
  })

  it('honours enabled, expiry and allowed models', async () => {
    const { json } = await admin('PUT', '/key', { remark: 'limited', allowedModels: ['tools'] })
    const key = json.data.apiKey
    const models = await app.openai(key).models.list()
    expect(models.data.map((m) => m.id)).toEqual(['tools'])
    const forbidden = await app.openai(key).chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e)
    expect(forbidden).toBeInstanceOf(OpenAI.PermissionDeniedError)

    await admin('POST', '/key/update', { id: json.data.id, enabled: false })
    expect(await app.openai(key).models.list().catch((e) => e)).toBeInstanceOf(OpenAI.AuthenticationError)
    await admin('POST', '/key/update', { id: Number(json.data.id), enabled: true, expiresAt: Date.now() - 1000 })
    expect(await app.openai(key).models.list().catch((e) => e)).toBeInstanceOf(OpenAI.AuthenticationError)
    expect((await admin('DELETE', `/key/${json.data.id}`)).json.code).toBe(0)
    expect((await admin('DELETE', `/key/${json.data.id}`)).status).toBe(404)
    expect((await admin('DELETE', '/key/abc')).json).toEqual({ code: 1, message: 'Invalid ID' })
  })

  it('rejects bad bodies with a message naming the field', async () => {
    const res = await admin('PUT', '/key', { apiKey: 'short' })
    expect(res.status).toBe(400)
    expect(res.json.message).toMatch(/^apiKey:/)
  })
})

describe('credentials', () => {
  it('probes before storing, refuses dead and duplicate secrets, masks on listing', async () => {
    const dead = await admin('PUT', '/credential', { provider: 'up', secret: 'sk-upstream-dead' })
    expect(dead.status).toBe(422)
    expect(dead.json.message).toMatch(/up rejected the credential: .*Incorrect API key/)

    const good = await admin('PUT', '/credential', { provider: 'up', secret: 'sk-upstream-good', remark: 'main' })
    expect(good.json.data).toMatchObject({ provider: 'up', cookie: '****good', status: 'active', remark: 'main' })
    expect((await admin('PUT', '/cookie', { provider: 'up', cookie: ' sk-upstream-good ' })).status).toBe(409)
    expect((await admin('PUT', '/credential', { provider: 'nope', secret: 'x' })).json.message).toMatch(/unknown or disabled provider/)

    const list = await admin('GET', '/credential?provider=up')
    expect(JSON.stringify(list.json)).not.toContain('sk-upstream-good')
    expect((await admin('GET', '/cookie/all')).json.data).toHaveLength(1)
  })

  it('probes, disables and re-enables a credential by id', async () => {
    const add = await admin('PUT', '/credential', { provider: 'up', secret: 'sk-upstream-two' })
    const id = add.json.data.id
    const probe = await admin('POST', `/credential/${id}/probe`)
    expect(probe.json.data).toMatchObject({ credential: { id, status: 'active' }, health: { ok: true } })
    expect((await admin('POST', `/credential/${id}/enable`, { enabled: false })).json.data.status).toBe('disabled')
    expect((await admin('POST', `/credential/${id}/enable`)).json.data.status).toBe('active')
    const updated = await admin('POST', '/cookie/update', { id, remark: 'renamed' })
    expect(updated.json.data.remark).toBe('renamed')
    expect((await admin('POST', '/cookie/credit/refresh')).json.code).toBe(0)
    expect((await admin('DELETE', `/cookie/${id}`)).json.code).toBe(0)
    expect((await admin('POST', `/credential/${id}/probe`)).status).toBe(404)
  })

  it('records what each request cost in /api/usage', async () => {
    // Keys exist by now, so even a loopback caller needs one.
    expect(await app.openai().models.list().catch((e) => e)).toBeInstanceOf(OpenAI.AuthenticationError)
    const { json } = await admin('PUT', '/key', { remark: 'usage' })
    await app.openai(json.data.apiKey).chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] })
    const usage = await admin('GET', '/usage?provider=up&limit=1')
    expect(usage.json.data[0]).toMatchObject({ clientKeyId: Number(json.data.id), provider: 'up', model: 'fake-model', promptTokens: 11, completionTokens: 7, estimated: false, status: 200 })
  })
})
