// Metaso credentials: the `uid` and `sid` cookies joined as `uid-sid`, plus the per-page
// meta-token scraped from the home page (cached in credential state, refreshed on failure).
import { createHash } from 'node:crypto'
import { credentialInvalid, protocolError } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { parseCookieHeader, pickPastedValue } from '../../src/kit/pasted-secret.js'
import { SingleFlight, acrossInstances } from '../../src/kit/single-flight.js'
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

/** The stored meta-token while fresh and scraped for this secret, unless it is the one just refused. */
function storedMetaToken(ctx: Ctx, owner: string, rejected: string | undefined): string | undefined {
  const s = ctx.credential.state
  const ttl = ctx.settings.meta_token_ttl_ms ?? 1_800_000
  const fresh = s.meta_token_for === owner && typeof s.meta_token === 'string' && Number(s.meta_token_at) + ttl > Date.now()
  return fresh && s.meta_token !== rejected ? (s.meta_token as string) : undefined
}

/**
 * The meta-token, from state while fresh, else scraped once for all concurrent callers (across
 * instances too). `rejected` is a token a call just failed with: a different stored one (another
 * caller scraped it meanwhile) is used instead, else the page is scraped again.
 */
export async function metaToken(ctx: Ctx, rejected?: string): Promise<string> {
  const owner = fingerprint(ctx.credential.secret)
  const cached = storedMetaToken(ctx, owner, rejected)
  if (cached) return cached
  return tokenFlight.run(owner, () =>
    // The lock re-reads the stored state: another instance may have scraped a token meanwhile.
    acrossInstances(ctx, async () => {
      const stored = storedMetaToken(ctx, owner, rejected)
      if (stored) return stored
      const token = await scrapeMetaToken(ctx)
      ctx.saveState({ meta_token: token, meta_token_at: Date.now(), meta_token_for: owner })
      return token
    }),
  )
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
