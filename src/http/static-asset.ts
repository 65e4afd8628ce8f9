// Files the relay serves itself (Swagger UI, the console): read once, gzipped when text, with an
// ETag and a year of caching, since their URLs change whenever their content does.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import type { Context } from 'hono'

export interface StaticAsset {
  body: Uint8Array<ArrayBuffer>
  /** Present for text files (a bundle shrinks to about a third). */
  gzip: Uint8Array<ArrayBuffer> | undefined
  etag: string
  type: string
}

export const CONTENT_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  png: 'image/png',
  html: 'text/html; charset=utf-8',
}

export function readAsset(path: string, type: string): StaticAsset {
  const body = new Uint8Array(readFileSync(path))
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
  return { body, gzip: type.startsWith('text/') ? new Uint8Array(gzipSync(body)) : undefined, etag, type }
}

const matchesEtag = (ifNoneMatch: string | undefined, etag: string) =>
  ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag) === true

/** Answers with the asset (or 304), cached for a year: callers put a version or hash in the URL. */
export function serveAsset(c: Context, found: StaticAsset): Response {
  const headers: Record<string, string> = {
    'Cache-Control': 'public, max-age=31536000, immutable',
    ETag: found.etag,
    Vary: 'Accept-Encoding',
  }
  if (matchesEtag(c.req.header('if-none-match'), found.etag)) return c.body(null, 304, headers)
  headers['Content-Type'] = found.type
  if (found.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
    headers['Content-Encoding'] = 'gzip'
    return c.body(found.gzip, 200, headers)
  }
  return c.body(found.body, 200, headers)
}
