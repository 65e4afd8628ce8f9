// Browser cookie jars as users paste them: a `Cookie:` header, a JSON map, a cookie-export list
// ([{name, value, domain...}]) or a JSON-quoted single value. Adapters that send the whole jar
// (not one named value, see pasted-secret.ts) normalise it to a header string with these.
import { tryJson } from './json.js'

export type CookieJar = Map<string, string>

/** `a=1; b=2` (optionally prefixed `Cookie:`) → jar; the first occurrence of a name wins. */
export function parseCookieJar(header: string): CookieJar {
  const jar: CookieJar = new Map()
  for (const part of header.trim().replace(/^cookie:\s*/i, '').split(';')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (name && value && !jar.has(name)) jar.set(name, value)
  }
  return jar
}

export function cookieHeader(jar: CookieJar): string {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
}

export type PastedCookies = { jar: CookieJar } | { value: string }

/**
 * Read a pasted credential: a jar when it names cookies, else the single bare value (JSON quotes
 * and a `Bearer ` prefix removed) for the caller to name.
 */
export function readPastedCookies(raw: string): PastedCookies {
  let text = raw.trim().replace(/^cookie:\s*/i, '').replace(/^bearer\s+/i, '')
  if (/^[[{"]/.test(text)) {
    const parsed = tryJson(text)
    if (typeof parsed === 'string') text = parsed.trim().replace(/^bearer\s+/i, '')
    else if (parsed && typeof parsed === 'object') {
      const jar = jarFromJson(parsed)
      if (jar.size) return { jar }
    }
  }
  if (text.includes('=') && !/^[\w-]+\.[\w-]+\.[\w-]*=*$/.test(text)) return { jar: parseCookieJar(text) }
  return { value: text }
}

function jarFromJson(value: object): CookieJar {
  const jar: CookieJar = new Map()
  for (const item of Array.isArray(value) ? value : [value]) {
    if (!item || typeof item !== 'object') continue
    const rec = item as Record<string, unknown>
    if (typeof rec.name === 'string' && typeof rec.value === 'string') {
      if (rec.value) jar.set(rec.name, rec.value)
    } else for (const [k, v] of Object.entries(rec)) if (typeof v === 'string' && v) jar.set(k, v)
  }
  return jar
}
