// The OpenAPI document: valid OpenAPI 3.1 for a strict parser, every mounted route (doors included)
// documented from the zod schemas the route parses with, and the relay's real answers, success and
// failure, valid against the JSON Schemas the document shows (checked with Ajv, as a client would).
import { compileErrors, validate } from '@readme/openapi-parser'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { providers } from '../../providers/index.js'
import { communicateQuery } from '../../src/http/doors/communicate/door.js'
import { embeddingsSchema } from '../../src/http/doors/embeddings/door.js'
import { countSchema, messagesSchema } from '../../src/http/doors/messages/body.js'
import { chatRequestSchema } from '../../src/http/doors/openai/validate.js'
import { responsesRequestSchema } from '../../src/http/doors/responses/validate.js'
import { chatSchema } from '../../src/http/doors/sessions/chat.js'
import { apiRoutes, docOf, undocumentedRoutes } from '../../src/http/openapi.js'
import { SEED_CHAT_ROUTES } from '../../src/http/doors/seed-media/chat.js'
import { SEED_MEDIA_ROUTES } from '../../src/http/doors/seed-media/routes.js'
import { routeDocs } from '../../src/http/route-docs.js'
import { STDIO_SERVER } from '../fakes/mcp-server.js'
import { FakeOpenAIMedia } from '../fakes/openai-media.js'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor, sseData } from '../helpers/compat.js'
import { mediaPrices, mediaProvider } from '../helpers/media.js'
import { memoryProvider } from '../helpers/memory-provider.js'

const PREFIX = '/hf'
const mem = memoryProvider('mem-web', [{ id: 'mem' }])
let fake: FakeOpenAI
let media: FakeOpenAIMedia
let app: TestApp
let doc: any
let key: string

beforeAll(async () => {
  fake = await startFakeOpenAI()
  media = await new FakeOpenAIMedia().start()
  app = await startTestApp({
    definitions: [...providers, mem.def],
    config: {
      server: { route_prefix: PREFIX },
      providers: {
        up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: [{ id: 'text-embed', kind: 'embedding' }] },
        'mem-web': { credentials: ['acct-1'] },
        media: mediaProvider(media.url),
        luyala: { type: 'openai-compatible', base_url: `${media.url}/v1`, api_key: 'sk-media', models: [{ id: 'luyala-video', upstream: 'vid-1', kind: 'video' }] },
      },
      billing: { prices: { ...mediaPrices, 'luyala-video': { per_call: 1 } } },
      tasks: { poll_interval_ms: 10, max_poll_interval_ms: 30, wait_ms: 4000 },
    },
  })
  doc = await (await fetch(`${app.url}/openapi.json`)).json()
  key = await keyFor(app, 'alice')
})
afterAll(async () => {
  await app.close()
  await fake.close()
  await media.close()
})

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 for @readme/openapi-parser', async () => {
    expect(doc.openapi).toBe('3.1.0')
    const result = await validate(structuredClone(doc))
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true)
    expect(result.warnings).toEqual([])
  })

  it('documents every mounted route, the doors included, and none that is not mounted', () => {
    expect(undocumentedRoutes(app.app.routes, PREFIX)).toEqual([])
    for (const door of app.app.serving.doors) {
      expect(doc.paths[(door.prefixed ? PREFIX : '') + door.path]?.post, door.path).toBeDefined()
    }
    const mounted = new Set(apiRoutes(app.app.routes).map((r) => `${r.method.toLowerCase()} ${r.path}`))
    for (const d of routeDocs()) expect(mounted, `${d.method} ${d.path}`).toContain(`${d.method} ${d.prefixed ? PREFIX : ''}${d.path}`)
    const operations = Object.values(doc.paths).flatMap((p: any) => Object.values(p))
    expect(operations.length).toBe(routeDocs().length)
  })

  it('names a route mounted without a RouteDoc, so a new route cannot go undocumented', () => {
    const routes = [...app.app.routes, { method: 'POST', path: `${PREFIX}/v1/images/variations` }, { method: 'GET', path: '/api/thing/:id' }]
    expect(undocumentedRoutes(routes, PREFIX)).toEqual([
      { method: 'POST', path: `${PREFIX}/v1/images/variations` },
      { method: 'GET', path: '/api/thing/{id}' },
    ])
  })

  it("describes each door's body with the schema the door parses with", () => {
    const bodyOf = (path: string) => docOf({ method: 'POST', path }, PREFIX)?.body
    expect(bodyOf(`${PREFIX}/v1/chat/completions`)).toBe(chatRequestSchema)
    expect(bodyOf(`${PREFIX}/v1/responses`)).toBe(responsesRequestSchema)
    expect(bodyOf(`${PREFIX}/v1/messages`)).toBe(messagesSchema)
    expect(bodyOf(`${PREFIX}/v1/messages/count_tokens`)).toBe(countSchema)
    expect(bodyOf(`${PREFIX}/v1/embeddings`)).toBe(embeddingsSchema)
    expect(bodyOf('/chat')).toBe(chatSchema)
    expect(bodyOf('/chat/stream')).toBe(chatSchema)
    expect(docOf({ method: 'POST', path: '/communicate' }, PREFIX)?.query).toBe(communicateQuery)
    expect(docOf({ method: 'POST', path: '/api/communicate' }, PREFIX)?.query).toBe(communicateQuery)
    const chat = doc.paths[`${PREFIX}/v1/chat/completions`].post
    expect(chat.requestBody.content['application/json'].schema.required).toEqual(['messages'])
    expect(Object.keys(chat.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '402', '429', '502', '503']))
    expect(chat.responses['200'].content['text/event-stream']).toBeDefined()
  })

  it('leaves the admin routes out when the admin API is off', async () => {
    const other = await startTestApp({ config: { admin: { enabled: false } } })
    try {
      const otherDoc = (await (await fetch(`${other.url}/openapi.json`)).json()) as { paths: object }
      const paths = Object.keys(otherDoc.paths)
      // /api/communicate is a chat door under /api, and the seed's /api/v1/dashscope/... media route a client route: neither is an admin route.
      const seeds = new Set([...SEED_MEDIA_ROUTES, ...SEED_CHAT_ROUTES].map((r) => r.path))
      expect(paths.filter((p) => /^\/(api|user|record|mcp|conf|command)\//.test(p) && p !== '/api/communicate' && !seeds.has(p))).toEqual([])
      expect(paths).toContain('/v1/chat/completions')
      expect(paths).toContain('/api/communicate')
    } finally {
      await other.close()
    }
  })
})

describe('the relay answers as the document says', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  const checked = new Set<string>()

  /** The answer's body against the document's schema for its route and status. */
  async function conforms(method: string, route: string, res: Response, status: number): Promise<any> {
    expect(res.status, `${method} ${route}`).toBe(status)
    const operation = doc.paths[route]?.[method.toLowerCase()]
    expect(operation, `${method} ${route}`).toBeDefined()
    const answer = operation.responses[String(status)]
    expect(answer, `${method} ${route} ${status} is not documented`).toBeDefined()
    const body = await res.json()
    let schema = answer.content['application/json'].schema
    if (schema.$ref) schema = doc.components.schemas[schema.$ref.split('/').pop()]
    const check = ajv.compile(schema)
    expect(check(body), `${method} ${route} ${status}: ${JSON.stringify(check.errors)} in ${JSON.stringify(body).slice(0, 600)}`).toBe(true)
    checked.add(`${method.toLowerCase()} ${route}`)
    return body
  }

  const call = (method: string, path: string, body?: unknown, auth: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...auth },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  const client = (method: string, path: string, body?: unknown) => call(method, path, body, { authorization: `Bearer ${key}` })

  it('the system and admin routes', async () => {
    await conforms('GET', '/', await call('GET', '/'), 200)
    await conforms('GET', '/health', await call('GET', '/health'), 200)
    await conforms('GET', '/openapi.json', await call('GET', '/openapi.json'), 200)
    await conforms('POST', '/api/auth/verify', await call('POST', '/api/auth/verify'), 200)
    const created = await conforms('PUT', '/api/key', await call('PUT', '/api/key', { user_id: 'bob', expiresAt: '2099-01-01' }), 200)
    await conforms('PUT', '/api/key', await call('PUT', '/api/key', { userId: 'bob', nickname: 'x' }), 400)
    await conforms('POST', '/api/key/update', await call('POST', '/api/key/update', { id: created.data.id, remark: 'r' }), 200)
    await conforms('GET', '/api/key/all', await call('GET', '/api/key/all'), 200)
    await conforms('DELETE', '/api/key/{id}', await call('DELETE', `/api/key/${created.data.id}`), 200)
    await conforms('DELETE', '/api/key/{id}', await call('DELETE', '/api/key/abc'), 400)
    await conforms('DELETE', '/api/key/{id}', await call('DELETE', '/api/key/9999'), 404)

    const added = await conforms('PUT', '/api/credential', await call('PUT', '/api/credential', { provider: 'mem-web', secret: 'acct-2' }), 200)
    const id = added.data.id
    await conforms('PUT', '/api/credential', await call('PUT', '/api/credential', { provider: 'mem-web', secret: 'acct-2' }), 409)
    await conforms('PUT', '/api/cookie', await call('PUT', '/api/cookie', { provider: 'mem-web', cookie: 'acct-3' }), 200)
    await conforms('GET', '/api/credential', await call('GET', '/api/credential?provider=mem-web'), 200)
    await conforms('GET', '/api/cookie/all', await call('GET', '/api/cookie/all'), 200)
    await conforms('POST', '/api/cookie/update', await call('POST', '/api/cookie/update', { id, remark: 'second' }), 200)
    await conforms('POST', '/api/credential/{id}/enable', await call('POST', `/api/credential/${id}/enable`, { enabled: false }), 200)
    await conforms('POST', '/api/credential/{id}/probe', await call('POST', `/api/credential/${id}/probe`), 200)
    await conforms('POST', '/api/cookie/credit/refresh', await call('POST', '/api/cookie/credit/refresh'), 200)
    await conforms('DELETE', '/api/credential/{id}', await call('DELETE', `/api/credential/${id}`), 200)
    await conforms('DELETE', '/api/cookie/{id}', await call('DELETE', `/api/cookie/${id}`), 404)

    await conforms('POST', '/user/token/add', await call('POST', '/user/token/add', { user_id: 'alice', token: 100000 }), 200)
    await conforms('POST', '/user/token/add', await call('POST', '/user/token/add', { user_id: 'alice', token: -1 }), 400)
    await conforms('GET', '/user/list', await call('GET', '/user/list?page_size=5'), 200)
    await conforms('POST', '/user/update/mode', await call('POST', '/user/update/mode', { user_id: 'alice', mode: 'mem' }), 200)
    await conforms('POST', '/user/limits', await call('POST', '/user/limits', { user_id: 'alice', rpm: 1000 }), 200)
    await conforms('POST', '/user/limits', await call('POST', '/user/limits', { user_id: 'alice', rpm: -1 }), 400)
    const metrics = await call('GET', '/metrics')
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toContain('text/plain')
    expect(doc.paths['/metrics'].get.responses['200'].content['text/plain']).toBeDefined()
    expect(await metrics.text()).toContain('freeway_requests_total')
    checked.add('get /metrics')
    await conforms('GET', '/api/usage', await call('GET', '/api/usage?limit=5'), 200)
    await conforms('GET', '/api/usage', await call('GET', '/api/usage?limit=1.5'), 400)
    await conforms('POST', '/record/delete', await call('POST', '/record/delete', { ids: [99999] }), 404)
  })

  it('the OpenAI, Anthropic and session routes', async () => {
    await conforms('GET', `${PREFIX}/v1/models`, await client('GET', `${PREFIX}/v1/models?all=true`), 200)
    await conforms('GET', `${PREFIX}/v1/models/{id}`, await client('GET', `${PREFIX}/v1/models/mem`), 200)
    await conforms('GET', `${PREFIX}/v1/models/{id}`, await client('GET', `${PREFIX}/v1/models/nope`), 404)
    await conforms('GET', `${PREFIX}/v1/models`, await call('GET', `${PREFIX}/v1/models`, undefined, { authorization: 'Bearer sk-wrong' }), 401)

    const messages = [{ role: 'user', content: 'hi' }]
    await conforms('POST', `${PREFIX}/v1/chat/completions`, await client('POST', `${PREFIX}/v1/chat/completions`, { model: 'mem', messages }), 200)
    await conforms('POST', `${PREFIX}/v1/chat/completions`, await client('POST', `${PREFIX}/v1/chat/completions`, { model: 'mem', messages: [] }), 400)
    await conforms('POST', `${PREFIX}/v1/chat/completions`, await client('POST', `${PREFIX}/v1/chat/completions`, { model: 'nope', messages }), 404)

    const response = await conforms('POST', `${PREFIX}/v1/responses`, await client('POST', `${PREFIX}/v1/responses`, { model: 'mem', input: 'hi' }), 200)
    const at = `${PREFIX}/v1/responses/${response.id}`
    await conforms('GET', `${PREFIX}/v1/responses/{id}`, await client('GET', at), 200)
    await conforms('GET', `${PREFIX}/v1/responses/{id}/input_items`, await client('GET', `${at}/input_items?order=asc`), 200)
    await conforms('GET', `${PREFIX}/v1/responses/{id}/input_items`, await client('GET', `${at}/input_items?limit=101`), 400)
    await conforms('DELETE', `${PREFIX}/v1/responses/{id}`, await client('DELETE', at), 200)
    await conforms('GET', `${PREFIX}/v1/responses/{id}`, await client('GET', at), 404)

    await conforms('POST', `${PREFIX}/v1/messages`, await client('POST', `${PREFIX}/v1/messages`, { model: 'mem', max_tokens: 100, messages }), 200)
    await conforms('POST', `${PREFIX}/v1/messages`, await client('POST', `${PREFIX}/v1/messages`, { model: 'mem', messages }), 400)
    await conforms('POST', `${PREFIX}/v1/messages/count_tokens`, await client('POST', `${PREFIX}/v1/messages/count_tokens`, { model: 'mem', messages }), 200)
    await conforms('POST', `${PREFIX}/v1/embeddings`, await client('POST', `${PREFIX}/v1/embeddings`, { model: 'text-embed', input: ['a', 'b'] }), 200)

    const chat = await conforms('POST', '/chat', await client('POST', '/chat', { message: 'hi', model: 'mem' }), 200)
    await conforms('POST', '/chat', await client('POST', '/chat', { message: '' }), 400)
    await conforms('GET', '/session/{id}/info', await client('GET', `/session/${chat.session_id}/info`), 200)
    await conforms('POST', '/session/{id}/clear', await client('POST', `/session/${chat.session_id}/clear`), 200)
    await conforms('GET', '/session/{id}/info', await client('GET', '/session/nope/info'), 404)
    await conforms('GET', '/record/list', await call('GET', '/record/list?user_id=alice'), 200)
    const stats = await conforms('GET', '/api/stats', await call('GET', '/api/stats?hours=2'), 200)
    expect(stats.data.hourly.length).toBeGreaterThanOrEqual(2)
    await conforms('GET', '/api/stats', await call('GET', '/api/stats?hours=0'), 400)
    const models = await conforms('GET', '/api/models', await call('GET', '/api/models'), 200)
    expect(models.data.models.length).toBeGreaterThan(0)
    const usage = await conforms('GET', '/api/usage', await call('GET', '/api/usage?limit=5'), 200)
    expect(usage.data.length).toBeGreaterThan(0)
    const stream = await client('POST', '/chat/stream', { message: 'hi', model: 'mem' })
    expect(stream.headers.get('content-type')).toContain('text/event-stream')
    expect(doc.paths['/chat/stream'].post.responses['200'].content['text/event-stream']).toBeDefined()
    await stream.text()
    checked.add('post /chat/stream')
  })

  it('the MCP, runtime configuration and /communicate routes', { timeout: 40_000 }, async () => {
    // A browser page of another site is refused by the admin guard: the routes that take no input answer that error.
    const foreign = { origin: 'https://elsewhere.example' }
    const server = { ...STDIO_SERVER, env: { WEATHER_KEY: 'secret-weather-key' }, description: 'weather' }
    const updated = await conforms('POST', '/mcp/update', await call('POST', '/mcp/update?name=weather', { name: 'weather', ...server }), 200)
    expect(updated.data.weather).toMatchObject({ status: 'connected', env: { WEATHER_KEY: '****-key' } })
    expect(updated.data.weather.tools.length).toBeGreaterThan(0)
    await conforms('POST', '/mcp/update', await call('POST', '/mcp/update?name=broken', { command: 'freeway-no-such-command' }), 200)
    await conforms('POST', '/mcp/update', await call('POST', '/mcp/update?name=weather', { url: 'not a url' }), 400)
    const listed = await conforms('GET', '/mcp/get', await call('GET', '/mcp/get'), 200)
    expect(listed.data.McpServers.broken).toMatchObject({ status: 'error', error: expect.any(String) })
    await conforms('GET', '/mcp/get', await call('GET', '/mcp/get', undefined, foreign), 403)
    await conforms('POST', '/mcp/disable', await call('POST', '/mcp/disable?name=weather&disable=1'), 200)
    await conforms('POST', '/mcp/disable', await call('POST', '/mcp/disable?name=weather&disable=2'), 400)
    await conforms('POST', '/mcp/sync', await call('POST', '/mcp/sync'), 200)
    await conforms('POST', '/mcp/sync', await call('POST', '/mcp/sync', undefined, foreign), 403)
    await conforms('DELETE', '/mcp/delete', await call('DELETE', '/mcp/delete?name=broken'), 200)
    await conforms('DELETE', '/mcp/delete', await call('DELETE', '/mcp/delete?name=broken'), 404)

    const conf = await conforms('GET', '/conf/get', await call('GET', '/conf/get'), 200)
    expect(conf.data.llm.default_model).toBeNull()
    await conforms('GET', '/conf/get', await call('GET', '/conf/get', undefined, foreign), 403)
    const changed = await conforms('POST', '/conf/update', await call('POST', '/conf/update', { type: 'llm', key: 'max_steps', value: '6' }), 200)
    expect(changed.data).toEqual({ type: 'llm', key: 'max_steps', value: 6 })
    await conforms('POST', '/conf/update', await call('POST', '/conf/update', { type: 'llm', key: 'max_steps' }), 400)
    expect((await conforms('GET', '/command/get', await call('GET', '/command/get'), 200)).data).toBe(`-route_prefix=${PREFIX} -max_steps=6`)
    await conforms('GET', '/command/get', await call('GET', '/command/get', undefined, foreign), 403)

    for (const path of ['/communicate', '/api/communicate']) {
      const stream = await client('POST', `${path}?prompt=/help`)
      expect(stream.headers.get('content-type')).toContain('text/event-stream')
      expect(doc.paths[path].post.responses['200'].content['text/event-stream']).toBeDefined()
      expect(sseData(await stream.text())).toEqual([expect.objectContaining({ type: 'message', data: expect.any(Object) })])
      await conforms('POST', path, await client('POST', `${path}?prompt=%20`), 400)
    }
  })

  it('the media routes and the seed media routes', async () => {
    await conforms('POST', '/user/token/add', await call('POST', '/user/token/add', { user_id: 'alice', token: 100000 }), 200)
    const images = `${PREFIX}/v1/images/generations`
    await conforms('POST', images, await client('POST', images, { model: 'img-1', prompt: 'a fox', n: 1 }), 200)
    await conforms('POST', images, await client('POST', images, { model: 'img-1' }), 400)
    const edits = `${PREFIX}/v1/images/edits`
    await conforms('POST', edits, await client('POST', edits, { model: 'img-1', prompt: 'hat', images: [{ image_url: `${media.url}/files/in.png` }] }), 200)
    await conforms('POST', edits, await client('POST', edits, { model: 'img-1', prompt: 'hat' }), 400)
    const asr = `${PREFIX}/v1/audio/transcriptions`
    await conforms('POST', asr, await client('POST', asr, { model: 'whisper-x', file_url: `${media.url}/files/a.mp3`, response_format: 'verbose_json' }), 200)
    await conforms('POST', asr, await client('POST', asr, { model: 'whisper-x' }), 400)
    const videos = `${PREFIX}/v1/videos`
    const video = await conforms('POST', videos, await client('POST', videos, { model: 'vid-1', prompt: 'waves', seconds: 4 }), 200)
    await conforms('POST', videos, await client('POST', videos, { model: 'vid-1' }), 400)
    await conforms('GET', videos, await client('GET', `${videos}?limit=5`), 200)
    await conforms('GET', videos, await call('GET', videos, undefined, { authorization: 'Bearer sk-wrong' }), 401)
    await conforms('GET', `${videos}/{id}`, await client('GET', `${videos}/${video.id}`), 200)
    await conforms('GET', `${videos}/{id}`, await client('GET', `${videos}/video_nope`), 404)
    for (let i = 0; i < 200; i++) {
      const row = (await (await client('GET', `${videos}/${video.id}`)).json()) as { status: string }
      if (row.status === 'completed') break
      await new Promise((r) => setTimeout(r, 20))
    }
    const content = await fetch(`${app.url}${videos}/${video.id}/content`, { headers: { authorization: `Bearer ${key}` }, redirect: 'manual' })
    expect(content.status).toBe(302)
    expect(doc.paths[`${videos}/{id}/content`].get.responses['302']).toBeDefined()
    await conforms('GET', `${videos}/{id}/content`, await client('GET', `${videos}/video_nope/content`), 404)
    const seed = '/cozeZhsApi/luyala/video/create'
    await conforms('POST', seed, await client('POST', seed, { user_uuid: 'alice', prompt: 'a cat' }), 200)
    await conforms('POST', seed, await client('POST', seed, { prompt: 'a cat' }), 400)
    // The other seed routes' answers are checked against their vendors' fakes in test/e2e/seed-routes.test.ts.
    for (const route of [...SEED_MEDIA_ROUTES, ...SEED_CHAT_ROUTES]) await conforms('POST', route.path, await client('POST', route.path, { prompt: 'x' }), 400)
  })

  it('checked an answer of every route but the HTML pages (Swagger UI, the console: test/browser drives them)', () => {
    const unchecked = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m} ${path}`))
    const pages = ['get /docs', 'get /swagger/index.html', 'get /console', 'get /console/']
    expect(unchecked.filter((op) => !checked.has(op) && !pages.includes(op))).toEqual([])
  })
})
