// Admin input: bad input is a 400 naming the field (never a 500), bodies are JSON with or without
// a content-type (or real forms on the seeds' routes), bounded in size, and every admin family
// answers in its own envelope, 404s included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertRecords } from '../../src/db/records.repo.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

const SECRET = 'input-secret-1'
let app: TestApp

beforeAll(async () => {
  app = await startTestApp({
    env: { BACKEND_SECRET: SECRET },
    config: {
      admin: { body_limit: '64kb' },
      // Seeded from config without a probe; the upstream is never called here.
      providers: { up: { type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-seeded-key', models: ['m'] } },
    },
  })
})
afterAll(() => app.close())

/** Exactly the bytes given, with only the headers given (plus the secret). */
async function call(method: string, path: string, body?: RequestInit['body'], headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}${path}`, { method, headers: { authorization: SECRET, ...headers }, ...(body === undefined ? {} : { body }) })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : undefined }
}
const FORM = { 'content-type': 'application/x-www-form-urlencoded' } // what curl -d sends

describe('400, not 500, for bad admin input', () => {
  it('/api/usage checks its query', async () => {
    expect(await call('GET', '/api/usage?limit=1.5')).toEqual({ status: 400, json: { code: 1, message: expect.stringMatching(/^limit: /) } })
    expect((await call('GET', '/api/usage?offset=-1')).status).toBe(400)
    expect((await call('GET', '/api/usage?key_id=abc')).json.message).toMatch(/^key_id: /)
    expect(await call('GET', '/api/usage?limit=5000')).toMatchObject({ status: 200, json: { code: 0, data: [] } })
  })

  it('/api/credential/:id/enable takes no body, {"enabled":bool}, and refuses anything else', async () => {
    const id = (await call('GET', '/api/credential')).json.data[0].id
    expect((await call('POST', `/api/credential/${id}/enable`, 'null')).json).toEqual({ code: 1, message: expect.stringMatching(/^body: /) })
    expect((await call('POST', `/api/credential/${id}/enable`, '{"enabled":')).json).toEqual({ code: 1, message: expect.stringMatching(/not valid JSON/) })
    expect((await call('POST', `/api/credential/${id}/enable`, '{"enabled":"no"}')).status).toBe(400)
    expect((await call('POST', `/api/credential/${id}/enable`, '{"enabled":false}')).json.data.status).toBe('disabled')
    expect((await call('POST', `/api/credential/${id}/enable`)).json.data.status).toBe('active')
  })

  it('/record/delete takes at most 1000 ids', async () => {
    const now = Date.now()
    await insertRecords(app.services.db, Array.from({ length: 1000 }, () => ({ recordType: 1, createdAt: now })))
    const many = Array.from({ length: 40_000 }, (_, i) => i + 1)
    expect(await call('POST', '/record/delete', JSON.stringify({ ids: many.slice(0, 1001) }))).toEqual({
      status: 400,
      json: { code: 400, msg: 'ids: at most 1000 records per request, got 1001' },
    })
    expect((await call('POST', '/record/delete', JSON.stringify({ ids: many.slice(0, 1000) }))).json.data).toEqual({ deleted: 1000 })
    expect((await call('POST', '/record/delete', '{"ids":[]}')).status).toBe(400)
  })

  it('/record/delete past the body limit is a 413 in the envelope', async () => {
    const res = await call('POST', '/record/delete', JSON.stringify({ ids: Array.from({ length: 40_000 }, (_, i) => i + 1) }))
    expect(res).toEqual({ status: 413, json: { code: 413, msg: 'request body exceeds 65536 bytes' } })
  })
})

describe('body limit (admin.body_limit)', () => {
  const big = JSON.stringify({ remark: 'x'.repeat(70_000) })
  it('refuses larger bodies with 413 in each family envelope', async () => {
    expect(await call('PUT', '/api/key', big)).toEqual({ status: 413, json: { code: 1, message: 'request body exceeds 65536 bytes' } })
    expect(await call('POST', '/user/token/add', big, FORM)).toEqual({ status: 413, json: { code: 413, msg: 'request body exceeds 65536 bytes' } })
  })

  it('counts a body sent without a length (chunked) too', async () => {
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(16_000)))
        controller.close()
      },
    })
    const res = await fetch(`${app.url}/api/key`, { method: 'PUT', headers: { authorization: SECRET }, body: chunks, duplex: 'half' } as RequestInit)
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({ code: 1, message: 'request body exceeds 65536 bytes' })
  })
})

describe('404 in the route family envelope', () => {
  it('answers unknown admin paths and methods in their family shape', async () => {
    expect(await call('GET', '/api/nope')).toEqual({ status: 404, json: { code: 1, message: 'no route for GET /api/nope' } })
    expect(await call('GET', '/api/key')).toEqual({ status: 404, json: { code: 1, message: 'no route for GET /api/key' } })
    expect(await call('GET', '/user/nope')).toEqual({ status: 404, json: { code: 404, msg: 'no route for GET /user/nope' } })
    expect(await call('POST', '/record/list')).toEqual({ status: 404, json: { code: 404, msg: 'no route for POST /record/list' } })
    // Auth still comes first: an unknown admin path reveals nothing without the secret.
    expect((await call('GET', '/api/nope', undefined, { authorization: 'wrong' })).status).toBe(401)
    // Elsewhere the OpenAI shape stays.
    expect((await call('GET', '/v2/nope')).json).toMatchObject({ error: { code: 'not_found' } })
  })
})

describe('bodies: JSON whatever the content-type, forms where they worked', () => {
  it('/user routes take curl -d JSON (form content-type), JSON without a content-type, and real forms', async () => {
    const asCurl = await call('POST', '/user/token/add', '{"user_id":"alice","token":100}', FORM)
    expect(asCurl).toMatchObject({ status: 200, json: { code: 0, data: { user_id: 'alice', token: 100 } } })
    const bare = await call('POST', '/user/token/add', new TextEncoder().encode('{"user_id":"alice","token":5}'))
    expect(bare.json.data.avail_token).toBe(105)
    const form = await call('POST', '/user/update/mode', 'user_id=alice&mode=m', FORM)
    expect(form.json.data).toMatchObject({ user_id: 'alice', mode: 'm' })
    const multipart = new FormData()
    multipart.set('user_id', 'alice')
    multipart.set('token', '1')
    expect((await call('POST', '/user/token/add', multipart)).json.data.avail_token).toBe(106)
    const jsonMode = await call('POST', '/user/update/mode', '{"user_id":"alice","mode":"m"}', FORM)
    expect(jsonMode.json.code).toBe(0)
    expect(await call('POST', '/user/token/add', '{"user_id":', FORM)).toEqual({
      status: 400,
      json: { code: 400, msg: expect.stringMatching(/not valid JSON/) },
    })
  })

  it('/record/delete takes JSON as curl sends it, and repeated form fields', async () => {
    const now = Date.now()
    await insertRecords(app.services.db, [{ recordType: 1, createdAt: now }, { recordType: 1, createdAt: now }, { recordType: 1, createdAt: now }])
    const ids = (await call('GET', '/record/list?isDeleted=0')).json.data.list.map((r: { id: number }) => r.id)
    expect((await call('POST', '/record/delete', JSON.stringify({ id: ids[0] }), FORM)).json.data).toEqual({ deleted: 1 })
    expect((await call('POST', '/record/delete', `id=${ids[1]}&id=${ids[2]}`, FORM)).json.data).toEqual({ deleted: 2 })
  })

  it('/api routes take JSON without a content-type', async () => {
    expect((await call('PUT', '/api/key', '{"remark":"bare"}')).json.data.remark).toBe('bare')
    expect((await call('PUT', '/api/key', '{"remark":"curl"}', FORM)).json.data.remark).toBe('curl')
  })
})

describe('unknown fields', () => {
  it('are refused with a 400 naming the field, on every admin family', async () => {
    expect(await call('PUT', '/api/key', '{"remark":"x","colour":"red"}')).toEqual({ status: 400, json: { code: 1, message: 'colour: unknown field' } })
    expect((await call('POST', '/api/key/update', '{"id":1,"enable":false}')).json.message).toBe('enable: unknown field')
    expect((await call('PUT', '/api/cookie', '{"provider":"up","cookie":"sk-a","note":"x"}')).json.message).toBe('note: unknown field')
    expect((await call('POST', '/api/credential/1/enable', '{"enabled":true,"why":1}')).json.message).toBe('why: unknown field')
    expect(await call('POST', '/user/token/add', '{"user_id":"bob","token":1,"tokens":2}')).toEqual({ status: 400, json: { code: 400, msg: 'tokens: unknown field' } })
    expect((await call('POST', '/user/update/mode', 'user_id=bob&mode=m&model=m', FORM)).json.msg).toBe('model: unknown field')
    expect((await call('POST', '/record/delete', '{"idz":[1]}')).json.msg).toBe('idz: unknown field')
  })
})

describe('user search', () => {
  it('matches _ % and \\ literally', async () => {
    for (const user of ['a_b', 'axb', 'a%b', 'ayyb', 'a\\b'])
      expect((await call('POST', '/user/token/add', JSON.stringify({ user_id: user, token: 1 }))).json.code).toBe(0)
    const search = async (q: string) =>
      (await call('GET', `/user/list?page_size=100&user_id=${encodeURIComponent(q)}`)).json.data.list.map((u: { user_id: string }) => u.user_id)
    expect(await search('a_b')).toEqual(['a_b'])
    expect(await search('a%b')).toEqual(['a%b'])
    expect(await search('a\\b')).toEqual(['a\\b'])
    expect((await search('b')).sort()).toEqual(['a%b', 'a\\b', 'a_b', 'axb', 'ayyb'])
  })
})

describe('/api/key spellings', () => {
  it("accepts the seeds' snake_case fields beside the camelCase ones", async () => {
    const res = await call(
      'PUT',
      '/api/key',
      JSON.stringify({ api_key: 'sk-snake-case-key-1', user_id: 'carol', allowed_models: ['m'], act_for_others: true, expires_at: 4102444800 }),
    )
    expect(res.json.data).toMatchObject({ apiKey: 'sk-snake-case-key-1', userId: 'carol', allowedModels: ['m'], actForOthers: true, expiresAt: 4102444800000 })
    const updated = await call('POST', '/api/key/update', JSON.stringify({ id: res.json.data.id, user_id: null, enabled: false }))
    expect(updated.json.data).toMatchObject({ userId: null, enabled: false })
    expect(await call('PUT', '/api/key', '{"userId":"a","user_id":"b"}')).toEqual({ status: 400, json: { code: 1, message: 'user_id: give userId or user_id, not both' } })
  })

  it('expiresAt takes ISO 8601, epoch seconds or epoch milliseconds', async () => {
    const expiry = async (value: unknown) => {
      const res = await call('PUT', '/api/key', JSON.stringify({ expiresAt: value }))
      return res.status === 200 ? res.json.data.expiresAt : res.json.message
    }
    const at = Date.UTC(2030, 0, 1)
    expect(await expiry('2030-01-01T00:00:00Z')).toBe(at)
    expect(await expiry('2030-01-01T08:00:00+08:00')).toBe(at)
    expect(await expiry('2030-01-01')).toBe(at)
    expect(await expiry(at / 1000)).toBe(at)
    expect(await expiry(String(at / 1000))).toBe(at)
    expect(await expiry(at)).toBe(at)
    expect(await expiry(null)).toBeNull()
    expect(await expiry('2030-01-01T00:00:00')).toMatch(/^expiresAt: expected ISO 8601/)
    expect(await expiry('next week')).toMatch(/^expiresAt: /)
    expect(await expiry(-5)).toMatch(/^expiresAt: /)
  })
})
