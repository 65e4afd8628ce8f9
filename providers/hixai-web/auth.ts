// The hix.ai credential is the next-auth session cookie. Users paste it in many shapes; we keep
// only the session-token cookie (and its `.0`/`.1` chunks when next-auth split a large token),
// plus `cf_clearance` when present, as one Cookie header value.
import { tryJson } from '../../src/kit/json.js'
import { DEFAULT_USER_AGENT, SESSION_COOKIE } from './constants.js'

const KEPT_COOKIES = new RegExp(`^(${SESSION_COOKIE.replace(/[.-]/g, '\\$&')}(\\.\\d+)?|cf_clearance)$`)

function unescapeCookie(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value // a stray % is part of the value, not an escape
  }
}

function fromJson(raw: string): string | undefined {
  const parsed = tryJson(raw)
  if (typeof parsed === 'string') return parsed
  // Cookie-export extensions give [{name, value, domain...}].
  if (Array.isArray(parsed)) {
    const pairs = parsed
      .filter((c): c is { name: string; value: string } => typeof c?.name === 'string' && typeof c?.value === 'string')
      .map((c) => `${c.name}=${c.value}`)
    return pairs.length ? pairs.join('; ') : undefined
  }
  if (parsed && typeof parsed === 'object') {
    const o = parsed as Record<string, unknown>
    for (const key of [SESSION_COOKIE, 'cookie', 'session-token', 'sessionToken', 'token', 'value']) {
      if (typeof o[key] === 'string') return key === SESSION_COOKIE ? `${SESSION_COOKIE}=${o[key]}` : (o[key] as string)
    }
  }
  return undefined
}

/** Accepts a bare token, `name=value`, a whole Cookie header, or JSON-wrapped forms. */
export function normalizeSecret(raw: string): string {
  let text = raw.trim()
  const unwrapped = text.startsWith('{') || text.startsWith('[') || text.startsWith('"') ? fromJson(text) : undefined
  if (unwrapped !== undefined) text = unwrapped.trim()
  text = text.replace(/^cookie:\s*/i, '')
  if (!text.includes('=')) return `${SESSION_COOKIE}=${unescapeCookie(text)}`
  const kept = text
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=')
      return [part.slice(0, eq).trim(), unescapeCookie(part.slice(eq + 1).trim())] as const
    })
    .filter(([name, value]) => value && KEPT_COOKIES.test(name))
  // A name=value that is not one of ours (e.g. a token whose base64 ends in '=') is the bare token.
  if (!kept.some(([name]) => name.startsWith(SESSION_COOKIE))) return `${SESSION_COOKIE}=${unescapeCookie(text)}`
  return kept.map(([name, value]) => `${name}=${value}`).join('; ')
}

/** Headers every hix.ai call carries: the cookie and the browser's origin, referer and UA. */
export function baseHeaders(secret: string, origin: string, userAgent = DEFAULT_USER_AGENT): Record<string, string> {
  return {
    cookie: secret,
    origin,
    referer: `${origin}/`,
    'user-agent': userAgent,
    'accept-language': 'en-US,en;q=0.9',
  }
}
