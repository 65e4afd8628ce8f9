// The HTTP surface: OpenAI-shaped errors with the right status, the route prefix, system routes.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: {
      server: { route_prefix: '/hf', body_limit: '4kb' },
      providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] } },
      aliases: { 'gpt-4o-mini': 'fake-model' },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })

const errorShape = { error: { message: expect.any(String), type: expect.any(String), param: null, code: expect.any(String) } }

describe('route prefix', () => {
  it('serves the OpenAI routes under the prefix only', async () => {
    expect(app.baseURL).toBe(`${app.url}/hf/v1`)
    const res = await app.openai().chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] })
    expect(res.choices[0]!.message.content).toContain('你好')
    const plain = await post('/v1/chat/completions', '{}')
    expect(plain.status).toBe(404)
    expect(await plain.json()).toMatchObject(errorShape)
  })

  it('resolves aliases', async () => {
    const res = await app.openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
    expect(fake.requests.at(-1)!.body.model).toBe('fake-model')
    expect(res.model).toBe('gpt-4o-mini')
  })
})

describe('errors', () => {
  it('400 for invalid JSON', async () => {
    const res = await post('/hf/v1/chat/completions', '{"model":')
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') } })
  })

  it('400 naming the bad parameter', async () => {
    const err = await app.openai().chat.completions.create({ model: 'fake-model', messages: [], temperature: 9 }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.param).toBe('messages')
    const n = await app.openai().chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }], n: 0 }).catch((e) => e)
    expect(n.status).toBe(400)
    expect(n.param).toBe('n')
  })

  it('404 model_not_found for an unknown model', async () => {
    const err = await app.openai().chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect(err.code).toBe('model_not_found')
  })

  it('413 for a body over the limit', async () => {
    const res = await post('/hf/v1/chat/completions', JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }))
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ error: { code: 'request_too_large' } })
  })

  it('401 with a bad key once keys exist, and the key works', async () => {
    const created = await app.admin('PUT', '/key', { remark: 'surface' })
    const key = created.json.data.apiKey as string
    const err = await app.openai('sk-wrong').models.list().catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError)
    const missing = await fetch(`${app.baseURL}/models`)
    expect(missing.status).toBe(401)
    expect(await missing.json()).toMatchObject(errorShape)
    const models = await app.openai(key).models.list()
    expect(models.data.map((m) => m.id)).toEqual(expect.arrayContaining(['fake-model', 'gpt-4o-mini']))
    expect(await app.openai(key).models.retrieve('fake-model')).toMatchObject({ id: 'fake-model', object: 'model', owned_by: 'up' })
    expect(await app.openai(key).models.retrieve('nope').catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError)
    await app.admin('DELETE', `/key/${created.json.data.id}`)
  })
})

describe('system routes', () => {
  it('/health reports status, version, uptime and the database', async () => {
    const res = await fetch(`${app.url}/health`)
    expect(await res.json()).toMatchObject({ status: 'ok', version: expect.any(String), uptime_s: expect.any(Number), database: 'ok' })
  })

  it('/ names the service and links, with CORS and a request id on every response', async () => {
    const res = await fetch(`${app.url}/`, { headers: { origin: 'https://chat.example' } })
    expect(await res.json()).toMatchObject({ name: 'freeway', links: { openai: '/hf/v1', docs: '/docs' } })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('x-request-id')).toBeTruthy()
  })

  it('/openapi.json lists every mounted route, admin ones included', async () => {
    const doc: any = await (await fetch(`${app.url}/openapi.json`)).json()
    const paths = Object.keys(doc.paths)
    for (const p of ['/hf/v1/chat/completions', '/hf/v1/models', '/api/key', '/api/key/{id}', '/api/cookie/all', '/api/credential/{id}/probe', '/api/usage'])
      expect(paths).toContain(p)
    expect(doc.paths['/api/key'].put.summary).toMatch(/client key/)
  })

  it('serves Swagger UI at /docs and /swagger/index.html', async () => {
    for (const p of ['/docs', '/swagger/index.html']) {
      const res = await fetch(`${app.url}${p}`)
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('SwaggerUIBundle')
    }
  })

  it('turns Swagger off with SWAGGER_ENABLE=0', async () => {
    const other = await startTestApp({ env: { SWAGGER_ENABLE: '0' } })
    try {
      expect((await fetch(`${other.url}/docs`)).status).toBe(404)
    } finally {
      await other.close()
    }
  })
})
