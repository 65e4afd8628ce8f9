// Swagger UI at /docs and /swagger/index.html, its files served by the relay from the
// swagger-ui-dist package: the page renders on a machine without internet access.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import { ApiError } from './errors.js'
import { swaggerHtml } from './openapi.js'
import { type StaticAsset, readAsset, serveAsset } from './static-asset.js'

export const DOCS_ASSET_PREFIX = '/docs/'

/** The files the page uses, by name in swagger-ui-dist, with their content types. */
const FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}

// Read on first use, not at start: most relays never serve the page.
let distDir: string | undefined
let distVersion: string | undefined
const loaded = new Map<string, StaticAsset>()

function packageDir(): string {
  distDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
  return distDir
}

function version(): string {
  distVersion ??= (JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8')) as { version: string }).version
  return distVersion
}

function asset(name: string): StaticAsset | undefined {
  const type = FILES[name]
  if (!type) return undefined
  let found = loaded.get(name)
  if (!found) {
    found = readAsset(join(packageDir(), name), type)
    loaded.set(name, found)
  }
  return found
}

/** The files' URLs carry the package version, so a year of caching ends with an upgrade. */
const assetUrl = (name: string) => `${DOCS_ASSET_PREFIX}${name}?v=${version()}`

export function docsRoutes(specUrl: string) {
  const app = new Hono()
  const page = () =>
    swaggerHtml(specUrl, {
      css: assetUrl('swagger-ui.css'),
      bundle: assetUrl('swagger-ui-bundle.js'),
      icon: assetUrl('favicon-32x32.png'),
    })
  app.get('/docs', (c) => c.html(page()))
  app.get('/swagger/index.html', (c) => c.html(page()))

  // One wildcard rather than a route per file: the OpenAPI document lists the API, not these.
  app.get(`${DOCS_ASSET_PREFIX}*`, (c) => {
    const found = asset(c.req.path.slice(DOCS_ASSET_PREFIX.length))
    if (!found) throw ApiError.notFound(`no route for GET ${c.req.path}`)
    return serveAsset(c, found)
  })
  return app
}
