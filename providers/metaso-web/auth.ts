// Metaso credentials: the `uid` and `sid` cookies joined as `uid-sid`, plus the per-page
// meta-token scraped from the home page (cached in credential state, refreshed on failure).
import { createHash } from 'node:crypto'
import { credentialInvalid, protocolError } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { parseCookieHeader, pickPastedValue } from '../../src/kit/pasted-secret.js'
import { SingleFlight } from '../../src/kit/single-flight.js'
import type { CallContext } from '../../src/kit/types.js'
import { DOCUMENT_HEADERS, META_TOKEN_PATTERN, PATHS, PROVIDER_ID } from './constants.js'

type Ctx = CallContext<{ meta_token_ttl_ms?: number }>

/** Accept `uid-sid`, `uid=…; sid=…` (any cookie header), JSON `{uid, sid}` or a Bearer value. */
export function normalizeSecret(raw: string): string {
  const text = raw.trim().replace(/^bearer\s+/i, '')
  const fromJson = jsonPair(text)
  if (fromJson) return fromJson
  if (text.includes('=')) {
    const cookies = parseCookieHeader(text)
    const uid = cookies.get('uid')
    const sid = cookies.get('sid')
    if (uid && sid) return `${unquote(uid)}-${unquote(sid)}`
  }
  return pickPastedValue(text, ['uid-sid', 'token', 'value'])
}

function jsonPair(text: string): string | undefined {
  // Not JSON: the other forms get a look.
  const o = text.startsWith('{') ? asObject(tryJson(text)) : undefined
  return typeof o?.uid === 'string' && typeof o.sid === 'string' ? `${o.uid}-${o.sid}` : undefined
}

const unquote = (v: string) => v.replace(/^"(.*)"$/, '$1')

export function splitSecret(secret: string): { uid: string; sid: string } {
  const dash = secret.indexOf('-')
  if (dash <= 0 || dash === secret.length - 1)
    throw credentialInvalid(`${PROVIDER_ID}: the credential must be "uid-sid" (the uid and sid cookies joined by "-")`, {
      provider: PROVIDER_ID,
    })
  return { uid: secret.slice(0, dash), sid: secret.slice(dash + 1) }
}

export function cookieHeader(secret: string): string {
  const { uid, sid } = splitSecret(secret)
  return `uid=${uid}; sid=${sid}`
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16)
}

const tokenFlight = new SingleFlight<string>()

/** The meta-token, from state while fresh, else scraped once for all concurrent callers. */
export async function metaToken(ctx: Ctx, force = false): Promise<string> {
  const s = ctx.credential.state
  const owner = fingerprint(ctx.credential.secret)
  const ttl = ctx.settings.meta_token_ttl_ms ?? 1_800_000
  if (!force && s.meta_token_for === owner && typeof s.meta_token === 'string' && Number(s.meta_token_at) + ttl > Date.now())
    return s.meta_token
  return tokenFlight.run(owner, async () => {
    const token = await scrapeMetaToken(ctx)
    ctx.saveState({ meta_token: token, meta_token_at: Date.now(), meta_token_for: owner })
    return token
  })
}

async function scrapeMetaToken(ctx: Ctx): Promise<string> {
  const res = await ctx.http.ok(ctx.settings.base_url + PATHS.home, {
    headers: { ...DOCUMENT_HEADERS, cookie: cookieHeader(ctx.credential.secret) },
    signal: ctx.signal,
  })
  const html = await res.text()
  const token = META_TOKEN_PATTERN.exec(html)?.[1]
  if (!token) throw protocolError(`${PROVIDER_ID}: the metaso.cn home page carries no meta-token (challenge page or changed layout)`, { provider: PROVIDER_ID })
  return token
}
