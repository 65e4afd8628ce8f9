// Admin routes and browsers: no CORS for the admin families unless admin.cors_origins lists the
// origin, and without BACKEND_SECRET a page of another site cannot drive the loopback exemption.
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestApp, startTestApp } from '../helpers/app.js'

const LISTED = 'https://admin.example'
const EVIL = 'https://evil.example'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  json: any
}

/** A raw request: node:http lets the test set Host as a browser behind DNS rebinding would. */
function send(app: TestApp, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${app.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode!, headers: res.headers, json: text ? JSON.parse(text) : undefined })
      })
    })
    req.once('error', reject)
    req.end(body)
  })
}

describe('without BACKEND_SECRET (loopback exemption)', () => {
  let app: TestApp
  let own: string
  beforeAll(async () => {
    app = await startTestApp({ config: { admin: { cors_origins: [LISTED] } } })
    own = app.url
  })
  afterAll(() => app.close())

  const keyCount = async () => (await send(app, 'GET', '/api/key/all', {})).json.data.length

  it('refuses a page of another site, on every admin family, and creates nothing', async () => {
    const before = await keyCount()
    const put = await send(app, 'PUT', '/api/key', { origin: EVIL, 'content-type': 'text/plain' }, '{"remark":"drive-by"}')
    expect(put.status).toBe(403)
    expect(put.json).toEqual({ code: 1, message: expect.stringMatching(/browser requests from https:\/\/evil\.example .*BACKEND_SECRET/) })
    expect(put.headers['access-control-allow-origin']).toBeUndefined()
    const grant = await send(app, 'POST', '/user/token/add', { origin: EVIL, 'content-type': 'application/x-www-form-urlencoded' }, 'user_id=mallory&token=1000000')
    expect(grant.status).toBe(403)
    expect(grant.json).toMatchObject({ code: 403, msg: expect.stringMatching(/browser/) })
    expect((await send(app, 'POST', '/record/delete', { origin: 'null' }, '{"id":1}')).status).toBe(403)
    expect(await keyCount()).toBe(before)
    expect((await send(app, 'GET', '/user/list', {})).json.data.total).toBe(0)
  })

  it('refuses cross-site navigations that carry no Origin (Sec-Fetch-Site)', async () => {
    expect((await send(app, 'GET', '/api/key/all', { 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await send(app, 'GET', '/user/list', { 'sec-fetch-site': 'same-site' })).status).toBe(403)
    expect((await send(app, 'GET', '/api/key/all', { 'sec-fetch-site': 'same-origin' })).status).toBe(200)
    expect((await send(app, 'GET', '/api/key/all', { 'sec-fetch-site': 'none' })).status).toBe(200)
  })

  it("admits the relay's own page at a loopback host, not the same page behind DNS rebinding", async () => {
    const port = new URL(own).port
    expect((await send(app, 'PUT', '/api/key', { origin: own }, '{"remark":"own page"}')).json.code).toBe(0)
    const local = `http://localhost:${port}`
    expect((await send(app, 'PUT', '/api/key', { origin: local, host: `localhost:${port}` }, '{}')).json.code).toBe(0)
    const rebound = `http://attacker.example:${port}`
    const res = await send(app, 'PUT', '/api/key', { origin: rebound, host: `attacker.example:${port}` }, '{}')
    expect(res.status).toBe(403)
    const get = await send(app, 'GET', '/api/key/all', { 'sec-fetch-site': 'same-origin', host: `attacker.example:${port}` })
    expect(get.status).toBe(403)
  })

  it('admits a listed origin and answers it with CORS headers for that origin only', async () => {
    const res = await send(app, 'GET', '/api/key/all', { origin: LISTED })
    expect(res.status).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe(LISTED)
    expect(res.headers.vary).toBe('Origin')
    expect(res.headers['access-control-expose-headers']).toMatch(/X-Request-Id/)
  })

  it('curl and scripts (no Origin, no Sec-Fetch-Site) keep working', async () => {
    expect((await send(app, 'POST', '/api/auth/verify', {})).json).toEqual({ code: 0, message: 'success' })
  })
})

describe('CORS by route family', () => {
  let app: TestApp
  const SECRET = 'browser-secret-1'
  beforeAll(async () => {
    app = await startTestApp({ env: { BACKEND_SECRET: SECRET, ADMIN_CORS_ORIGINS: `${LISTED}, https://ops.example` } })
  })
  afterAll(() => app.close())

  it('admin families send no CORS headers to an unlisted origin, even with the secret', async () => {
    for (const path of ['/api/key/all', '/user/list', '/record/list']) {
      const res = await send(app, 'GET', path, { origin: EVIL, authorization: SECRET })
      expect(res.status).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
      const listed = await send(app, 'GET', path, { origin: 'https://ops.example', authorization: SECRET })
      expect(listed.headers['access-control-allow-origin']).toBe('https://ops.example')
    }
    // Failures and unknown admin paths follow the same policy.
    const denied = await send(app, 'GET', '/api/key/all', { origin: EVIL, authorization: 'wrong' })
    expect(denied.status).toBe(401)
    expect(denied.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('the OpenAI, session and system routes keep server.cors', async () => {
    for (const path of ['/v1/models', '/', '/health']) {
      const res = await send(app, 'GET', path, { origin: EVIL })
      expect(res.headers['access-control-allow-origin']).toBe('*')
    }
  })

  it('preflight: 204 with CORS for a listed origin, 403 in the envelope for any other', async () => {
    const ask = { 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type' }
    const listed = await send(app, 'OPTIONS', '/api/key', { origin: LISTED, ...ask })
    expect(listed.status).toBe(204)
    expect(listed.headers).toMatchObject({
      'access-control-allow-origin': LISTED,
      'access-control-allow-methods': expect.stringContaining('PUT'),
      'access-control-allow-headers': 'authorization, content-type',
    })
    const evil = await send(app, 'OPTIONS', '/api/key', { origin: EVIL, ...ask })
    expect(evil.status).toBe(403)
    expect(evil.headers['access-control-allow-origin']).toBeUndefined()
    expect(evil.json).toEqual({ code: 1, message: expect.stringMatching(/admin\.cors_origins/) })
    const seeds = await send(app, 'OPTIONS', '/user/token/add', { origin: EVIL, ...ask })
    expect(seeds.status).toBe(403)
    expect(seeds.json).toMatchObject({ code: 403 })
    const openai = await send(app, 'OPTIONS', '/v1/chat/completions', { origin: EVIL, ...ask })
    expect(openai.status).toBe(204)
    expect(openai.headers['access-control-allow-origin']).toBe('*')
  })
})

describe('admin.cors_origins', () => {
  it('takes origins only, naming the bad entry', async () => {
    const { buildConfig } = await import('../../src/config/load.js')
    expect(buildConfig({ admin: { cors_origins: ['https://a.example:8443'] } }, {}).admin.cors_origins).toEqual(['https://a.example:8443'])
    expect(() => buildConfig({ admin: { cors_origins: ['https://a.example/'] } }, {})).toThrow(/admin\.cors_origins\.0: not an origin/)
    expect(() => buildConfig({ admin: { cors_origins: ['*'] } }, {})).toThrow(/admin\.cors_origins\.0/)
    expect(buildConfig({}, { ADMIN_CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).admin.cors_origins).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ])
  })
})
