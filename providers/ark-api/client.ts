// HTTP calls to Ark: Bearer auth; `{error: {code, message}}` bodies read into the pool's failure classes.
import { type UpstreamError, credentialInvalid, invalidRequest, quotaExhausted, rateLimited } from '../../src/kit/errors.js'
import { tryJson } from '../../src/kit/json.js'
import type { CallContext } from '../../src/kit/types.js'
import type { ArkSettings } from './settings.js'

export type Ctx = CallContext<ArkSettings>

export const urlOf = (ctx: Ctx, path: string) => ctx.settings.base_url.replace(/\/+$/, '') + path

export function headersOf(ctx: Ctx): Record<string, string> {
  return { ...ctx.settings.headers, authorization: `Bearer ${ctx.credential.secret}` }
}

/**
 * Ark's codes say more than its statuses: an overdue account is a 403 that must not disable the
 * key as invalid, and a quota is a 429 that should cool it down for long. Unknown codes: by status.
 */
export function classify(provider: string, status: number, body: string): UpstreamError | undefined {
  const json = tryJson(body) as { error?: { code?: unknown; message?: unknown } } | undefined
  const code = String(json?.error?.code ?? '')
  const message = `${provider}: ${String(json?.error?.message ?? (code || `HTTP ${status}`)).slice(0, 300)}`
  const o = { provider, upstreamStatus: status }
  if (code === 'AccountOverdueError' || code.startsWith('QuotaExceeded') || code === 'SetLimitExceeded') return quotaExhausted(message, o)
  if (code.startsWith('AuthenticationError') || status === 401) return credentialInvalid(message, o)
  if (code.startsWith('RateLimitExceeded') || code === 'ServerOverloaded' || status === 429) return rateLimited(message, o)
  if (code.startsWith('InvalidParameter') || code.startsWith('MissingParameter') || code.includes('SensitiveContentDetected')) return invalidRequest(message, o)
  return undefined
}

/** One JSON call; a non-2xx answer becomes its typed error. */
export async function call(ctx: Ctx, provider: string, path: string, json?: unknown): Promise<unknown> {
  const res = await ctx.http.request(urlOf(ctx, path), { json, headers: headersOf(ctx), signal: ctx.signal })
  const text = await res.text().catch(() => '')
  if (res.status < 200 || res.status >= 300) throw classify(provider, res.status, text) ?? ctx.http.statusError(res.status, text, res.headers['retry-after'])
  return tryJson(text)
}
