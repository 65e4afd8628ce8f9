// Signed calls to the visual API and its failures → typed errors. Every answer is an envelope:
// {code, message, data} from the service, or {ResponseMetadata: {Error}} from the gateway.
import { credentialInvalid, errorFromStatus, invalidRequest, parseRetryAfter, protocolError, rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import type { UpstreamError } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { keyPairOf } from '../../src/kit/key-pair.js'
import { maskSecretsIn } from '../../src/kit/log.js'
import type { CallContext } from '../../src/kit/types.js'
import { API_VERSION, AUTH_ERROR_CODES, OK_CODE, PROVIDER_ID, RATE_LIMIT_CODES, REGION, SERVICE } from './constants.js'
import { signV4, xDateOf } from './sign.js'

export type Ctx = CallContext

export interface Envelope {
  code?: number
  message?: string
  data?: Record<string, unknown> | null
}

const opts = (status?: number, retryAfterMs?: number) => ({ provider: PROVIDER_ID, ...(status ? { upstreamStatus: status } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) })

/** A gateway or service failure (not a task's) as the class the pool acts on. */
export function jimengError(status: number, body: unknown, retryAfterMs?: number): UpstreamError {
  const j = asObject(body)
  const gateway = asObject(asObject(j?.ResponseMetadata)?.Error)
  const code = typeof j?.code === 'number' ? j.code : undefined
  const text = maskSecretsIn(String(gateway?.Message ?? j?.message ?? `HTTP ${status}`).slice(0, 300))
  const label = gateway?.Code ?? code
  const message = `${PROVIDER_ID}: ${text}${label !== undefined ? ` (${label})` : ''}`
  if (typeof gateway?.Code === 'string' && AUTH_ERROR_CODES.has(gateway.Code)) return credentialInvalid(message, opts(status))
  if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) return rateLimited(message, opts(status, retryAfterMs))
  if (status >= 400) return errorFromStatus(status, message, opts(status, retryAfterMs))
  // HTTP 200 with a failure code: 504xx are the input's fault (moderation, parameters), 505xx the service's.
  if (code !== undefined && code >= 50400 && code < 50500) return invalidRequest(message, opts(status))
  return upstreamUnavailable(message, opts(status))
}

/** One signed POST /?Action=…&Version=2022-08-31; returns the envelope when its code is 10000. */
export async function call(action: string, payload: Record<string, unknown>, ctx: Ctx): Promise<Envelope> {
  const { accessKey, secretKey } = keyPairOf(ctx.credential.secret, PROVIDER_ID)
  const url = new URL(`${ctx.settings.base_url}/`)
  const query = { Action: action, Version: API_VERSION }
  const body = JSON.stringify(payload)
  const signed = signV4({
    method: 'POST',
    host: url.host,
    path: url.pathname,
    query,
    contentType: 'application/json',
    body,
    accessKey,
    secretKey,
    region: REGION,
    service: SERVICE,
    xDate: xDateOf(new Date()),
  })
  const res = await ctx.http.request(url.toString(), { method: 'POST', query, body, headers: signed.headers, signal: ctx.signal })
  const text = await res.text()
  const parsed = tryJson(text)
  const envelope = asObject(parsed) as Envelope | undefined
  if (res.status < 200 || res.status >= 300) throw jimengError(res.status, parsed ?? { message: text.slice(0, 300) }, parseRetryAfter(res.headers['retry-after']))
  if (!envelope) throw protocolError(`${PROVIDER_ID}: the answer is not JSON`, opts(res.status))
  return envelope
}

export const isOk = (e: Envelope) => e.code === OK_CODE
