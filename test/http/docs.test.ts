// Swagger UI is served whole by the relay (no CDN), its files cached by browsers, and absent
// when server.swagger is off.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestApp, startTestApp } from '../helpers/app.js'

const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
const VERSION = (JSON.parse(readFileSync(join(DIST, 'package.json'), 'utf8')) as { version: string }).version

/** undici's request: unlike fetch, it neither sends Accept-Encoding nor decompresses. */
async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers })
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) }
}

/** Every URL the page's tags load (src and href attributes). */
const referencedUrls = (html: string) => [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)

describe('Swagger UI offline', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ config: { server: { route_prefix: '/hf' } } })
  })
  afterAll(() => app.close())

  it('the page loads nothing from another origin, and each file it names is served from swagger-ui-dist', async () => {
    for (const page of ['/docs', '/swagger/index.html']) {
      const res = await get(`${app.url}${page}`)
      expect(res.status).toBe(200)
      const html = res.body.toString()
      expect(html).not.toMatch(/https?:\/\//)
      expect(html).toContain('validatorUrl: null') // else Swagger UI fetches a badge from its online validator
      const urls = referencedUrls(html)
      expect(urls.map((u) => u.replace(/\?.*/, '')).sort()).toEqual(['/docs/favicon-32x32.png', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css'])
      for (const url of urls) {
        expect(url).toContain(`?v=${VERSION}`)
        const file = await get(`${app.url}${url}`)
        expect(file.status).toBe(200)
        expect(file.body.equals(readFileSync(join(DIST, url.slice('/docs/'.length).replace(/\?.*/, ''))))).toBe(true)
      }
    }
  })

  it('serves the files with their types, a year of caching and an ETag that answers 304', async () => {
    const types = { 'swagger-ui.css': 'text/css', 'swagger-ui-bundle.js': 'text/javascript', 'favicon-32x32.png': 'image/png' }
    for (const [name, type] of Object.entries(types)) {
      const first = await get(`${app.url}/docs/${name}`)
      expect(first.headers['content-type']).toContain(type)
      expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable')
      const etag = String(first.headers.etag)
      expect(etag).toMatch(/^"[\w-]{22}"$/)
      const again = await get(`${app.url}/docs/${name}`, { 'if-none-match': `"other", W/${etag}` })
      expect(again.status).toBe(304)
      expect(again.body.length).toBe(0)
      expect((await get(`${app.url}/docs/${name}`, { 'if-none-match': '"other"' })).status).toBe(200)
    }
  })

  it('compresses the script and stylesheet for clients that accept gzip', async () => {
    for (const name of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
      const res = await get(`${app.url}/docs/${name}`, { 'accept-encoding': 'br, gzip' })
      expect(res.headers['content-encoding']).toBe('gzip')
      expect(res.headers.vary).toContain('Accept-Encoding')
      const original = readFileSync(join(DIST, name))
      expect(res.body.length).toBeLessThan(original.length / 2)
      expect(gunzipSync(res.body).equals(original)).toBe(true)
    }
    const png = await get(`${app.url}/docs/favicon-32x32.png`, { 'accept-encoding': 'gzip' })
    expect(png.headers['content-encoding']).toBeUndefined()
  })

  it('serves only the files the page uses: other names under /docs/ are 404 in the API envelope', async () => {
    for (const path of ['/docs/index.html', '/docs/swagger-ui.js.map', '/docs/..%2Fpackage.json', '/docs/package.json', '/docs/']) {
      const res = await fetch(`${app.url}${path}`)
      expect(res.status, path).toBe(404)
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } })
    }
  })

  it('keeps the asset route out of the OpenAPI document, which lists the API', async () => {
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/docs/'))).toEqual([])
  })

  it('mounts neither the page nor its files when server.swagger is off', async () => {
    const off = await startTestApp({ config: { server: { swagger: false } } })
    try {
      for (const path of ['/docs', '/swagger/index.html', '/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/favicon-32x32.png'])
        expect((await fetch(`${off.url}${path}`)).status, path).toBe(404)
    } finally {
      await off.close()
    }
  })
})
