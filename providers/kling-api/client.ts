// Calls to Kling's API with a fresh JWT, and its envelope {code, message, data} → data or a typed error.
import { credentialInvalid, errorFromStatus, invalidRequest, parseRetryAfter, protocolError, quotaExhausted, rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import type { UpstreamError, UpstreamErrorOptions } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { keyPairOf } from '../../src/kit/key-pair.js'
import { maskSecretsIn } from '../../src/kit/log.js'
import type { CallContext } from '../../src/kit/types.js'
import { signToken } from './auth.js'
import { AUTH_CODES, PROVIDER_ID, QUOTA_CODES } from './constants.js'

export type Ctx = CallContext

/** A failure answer as the class the pool acts on; the business code decides before the status. */
export function klingError(status: number, body: unknown, retryAfterMs?: number): UpstreamError {
  const j = asObject(body)
  const code = typeof j?.code === 'number' ? j.code : undefined
  const text = maskSecretsIn(String(j?.message ?? `HTTP ${status}`).slice(0, 300))
  const message = `${PROVIDER_ID}: ${text}${code !== undefined ? ` (${code})` : ''}`
  const o: UpstreamErrorOptions = { provider: PROVIDER_ID, upstreamStatus: status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }
  if (code !== undefined && AUTH_CODES.has(code)) return credentialInvalid(message, o)
  if (code !== undefined && QUOTA_CODES.has(code)) return quotaExhausted(message, o)
  if (status === 429) return rateLimited(message, o)
  // 12xx: the request's parameters; 13xx: content policy. Both are the caller's to fix.
  if (code !== undefined && code >= 1200 && code < 1400) return invalidRequest(message, o)
  if (status >= 400) return errorFromStatus(status, message, o)
  return upstreamUnavailable(message, o)
}

export async function callKling(path: string, ctx: Ctx, json?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const token = await signToken(keyPairOf(ctx.credential.secret, PROVIDER_ID))
  const res = await ctx.http.request(`${ctx.settings.base_url}${path}`, {
    method: json ? 'POST' : 'GET',
    ...(json ? { json } : {}),
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    signal: ctx.signal,
  })
  const text = await res.text()
  const body = asObject(tryJson(text))
  if (res.status < 200 || res.status >= 300 || (body && body.code !== 0)) {
    throw klingError(res.status, body ?? { message: text.slice(0, 300) }, parseRetryAfter(res.headers['retry-after']))
  }
  const data = asObject(body?.data)
  if (!data) throw protocolError(`${PROVIDER_ID}: the answer carries no data`, { provider: PROVIDER_ID, upstreamStatus: res.status })
  return data
}
