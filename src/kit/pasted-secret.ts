// What users paste as a credential varies: a bare value, `name=value`, a whole `Cookie:` header,
// a JSON object copied from localStorage, or a JSON string with its quotes. These helpers find the
// one named value inside any of those forms.
import { asObject, tryJson } from './json.js'

/** Parse `a=1; b=2` (optionally prefixed with `Cookie:`) into pairs; values keep inner `=`. */
export function parseCookieHeader(raw: string): Map<string, string> {
  const out = new Map<string, string>()
  const body = raw.trim().replace(/^cookie:\s*/i, '')
  for (const piece of body.split(';')) {
    const eq = piece.indexOf('=')
    if (eq <= 0) continue
    const name = piece.slice(0, eq).trim()
    const value = piece.slice(eq + 1).trim()
    if (name && !out.has(name)) out.set(name, value)
  }
  return out
}

/** A pasted JSON value (object, array or quoted string), or undefined for anything else. */
function pastedJson(raw: string): unknown {
  const t = raw.trim()
  return /^[[{"]/.test(t) ? tryJson(t) : undefined
}

/** Look for the first of `names` in a JSON value, top level first, then one level down. */
function findInJson(value: unknown, names: readonly string[]): string | undefined {
  if (typeof value === 'string') return value
  if (!value || typeof value !== 'object') return undefined
  const obj = value as Record<string, unknown>
  for (const n of names) {
    const v = obj[n]
    if (typeof v === 'string' && v) return v
  }
  for (const v of Object.values(obj)) {
    if (v && typeof v === 'object') {
      const hit = findInJson(v, names)
      if (hit) return hit
    }
  }
  return undefined
}

/**
 * Extract the value called one of `names` from a pasted credential. Returns the trimmed input
 * when it names nothing we know (it is then taken to be the bare value).
 */
export function pickPastedValue(raw: string, names: readonly string[]): string {
  let text = raw.trim().replace(/^bearer\s+/i, '')
  // JSON may wrap JSON (a localStorage string holding a quoted token): unwrap a few levels.
  for (let depth = 0; depth < 3; depth++) {
    const parsed = pastedJson(text)
    if (parsed === undefined) break
    const found = findInJson(parsed, names)
    if (found === undefined) break
    text = found.trim()
  }
  if (text.includes('=')) {
    const cookies = parseCookieHeader(text)
    for (const n of names) {
      const v = cookies.get(n)
      if (v) return decodeCookieValue(v)
    }
  }
  return text.replace(/^bearer\s+/i, '')
}

function decodeCookieValue(v: string): string {
  const unquoted = v.replace(/^"(.*)"$/, '$1')
  try {
    return decodeURIComponent(unquoted)
  } catch {
    return unquoted
  }
}

/** Decode a JWT payload without verifying it (to read an account id or expiry for display). */
export function decodeJwtPayload(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1]
  if (!part) return undefined
  return asObject(tryJson(Buffer.from(part, 'base64url').toString('utf8')))
}
