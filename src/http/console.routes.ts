// The admin console at /console: static files built by `npm run build` (scripts/build-console.mjs)
// into dist/console. The page is a client of the admin API and holds no secret of its own; the
// route prefix is written into it so its "try it" box finds /v1 wherever the relay mounts it.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import { ApiError, openaiErrors } from './errors.js'
import type { RouteDoc } from './route-doc.js'
import { CONTENT_TYPES, type StaticAsset, readAsset, serveAsset } from './static-asset.js'

/** dist/console of the checkout or image this module runs from (src/http or dist/src/http). */
export function consoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return join(dir, 'dist', 'console')
}

/** The page; its hashed files under /console/assets/ are one wildcard route, not API operations. */
export const consoleDocs = (): RouteDoc[] => [
  { method: 'get', path: '/console', summary: 'Redirects to /console/', tag: 'system', auth: 'none', status: 301, html: true, errors: openaiErrors() },
  { method: 'get', path: '/console/', summary: 'The admin console (signs in with the admin secret)', tag: 'system', auth: 'none', html: true, errors: openaiErrors(503) },
]

const escapeAttr = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')

export function consoleRoutes(routePrefix: string, dir = consoleDir()) {
  const app = new Hono()
  // Read once per process: the hashed file names change only with a new build and a restart.
  let assets: Map<string, StaticAsset> | undefined
  let page: string | undefined
  const load = () => {
    if (!existsSync(join(dir, 'index.html'))) return false
    page ??= readFileSync(join(dir, 'index.html'), 'utf8').replace('%ROUTE_PREFIX%', escapeAttr(routePrefix))
    assets ??= new Map(
      readdirSync(join(dir, 'assets'))
        .filter((name) => CONTENT_TYPES[name.split('.').pop() ?? ''])
        .map((name) => [name, readAsset(resolve(dir, 'assets', name), CONTENT_TYPES[name.split('.').pop()!]!)]),
    )
    return true
  }
  const notBuilt = () => new ApiError(503, 'the console is not built: run `npm run build` (it bundles console/ into dist/console)', 'server_error', 'console_not_built')

  app.get('/console', (c) => c.redirect('/console/', 301))
  app.get('/console/', (c) => {
    if (!load()) throw notBuilt()
    // The page itself is never cached: it names the current build's assets.
    return c.html(page!, 200, { 'Cache-Control': 'no-cache', 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'" })
  })
  app.get('/console/assets/*', (c) => {
    if (!load()) throw notBuilt()
    const found = assets!.get(c.req.path.slice('/console/assets/'.length))
    if (!found) throw ApiError.notFound(`no route for GET ${c.req.path}`)
    return serveAsset(c, found)
  })
  return app
}
