// Swagger UI at /docs and /swagger/index.html, its files served by the relay from the
// swagger-ui-dist package: the page renders on a machine without internet access.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import { ApiError, openaiErrors } from './errors.js'
import type { RouteDoc } from './route-doc.js'
import { type StaticAsset, readAsset, serveAsset } from './static-asset.js'

export const DOCS_ASSET_PREFIX = '/docs/'

/** Where the page finds Swagger UI's files; the relay serves them, no CDN. */
export interface SwaggerAssets {
  css: string
  bundle: string
  icon: string
}

// validatorUrl: null, because Swagger UI otherwise shows a badge loaded from its online validator.
export const swaggerHtml = (specUrl: string, assets: SwaggerAssets) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Freeway API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="${assets.icon}">
<link rel="stylesheet" href="${assets.css}"></head>
<body><div id="ui"></div>
<script src="${assets.bundle}"></script>
<script>SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#ui', deepLinking: true, validatorUrl: null })</script>
</body></html>`

const page = (path: string): RouteDoc => ({
  method: 'get',
  path,
  summary: 'Swagger UI for this document (its files served by the relay)',
  tag: 'system',
  auth: 'none',
  html: true,
  errors: openaiErrors(),
})
/** The page's routes; its files under /docs/ are one wildcard route, not API operations. */
export const docsDocs = (): RouteDoc[] => [page('/docs'), page('/swagger/index.html')]

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
