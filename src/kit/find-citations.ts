// Web-search sources arrive in vendor-specific, often undocumented nestings. Collect every object
// with an http(s) `url` (and its `title`) wherever it sits, de-duplicated by url.
import type { Citation } from './types.js'

const MAX_DEPTH = 8

export function findCitations(value: unknown, seen: Set<string> = new Set()): Citation[] {
  const out: Citation[] = []
  walk(value, 0, seen, out)
  return out
}

function walk(value: unknown, depth: number, seen: Set<string>, out: Citation[]): void {
  if (depth > MAX_DEPTH || !value || typeof value !== 'object') return
  if (Array.isArray(value)) {
    for (const v of value) walk(v, depth + 1, seen, out)
    return
  }
  const rec = value as Record<string, unknown>
  const url = rec.url ?? rec.link
  if (typeof url === 'string' && /^https?:\/\//.test(url) && !seen.has(url)) {
    seen.add(url)
    const title = rec.title ?? rec.name
    out.push(typeof title === 'string' && title ? { url, title } : { url })
  }
  for (const v of Object.values(rec)) if (v && typeof v === 'object') walk(v, depth + 1, seen, out)
}
