// Pure translation of hix.ai replies: the chat stream's lines, tRPC batch envelopes, the credit
// query, and every failure shape (not login, Cloudflare, tRPC error codes) into typed errors.
import { tryJson } from '../../src/kit/json.js'
import {
  UpstreamError,
  credentialInvalid,
  invalidRequest,
  protocolError,
  quotaExhausted,
  rateLimited,
  upstreamUnavailable,
} from '../../src/kit/errors.js'
import { readLines } from '../../src/kit/lines.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { NOT_LOGIN_STATUS, PROVIDER_ID } from './constants.js'

const opts = (upstreamStatus?: number) => ({ provider: PROVIDER_ID, ...(upstreamStatus ? { upstreamStatus } : {}) })

export const CLOUDFLARE_ADVICE =
  'hix.ai sits behind Cloudflare, which challenges requests by IP and TLS fingerprint; set PROXY_URL (server.proxy_url) to a residential or otherwise unchallenged proxy'

/** Cloudflare's interstitial ("Just a moment...") or block page, or its challenge header. */
export function isCloudflarePage(body: string, cfMitigated?: string): boolean {
  if (cfMitigated === 'challenge') return true
  return /<title>\s*(Just a moment|Attention Required)|window\._cf_chl_opt|challenge-platform|cf-browser-verification/i.test(body)
}

export const cloudflareError = (status?: number) =>
  protocolError(`${PROVIDER_ID}: Cloudflare challenge (cf challenge) instead of an answer; ${CLOUDFLARE_ADVICE}`, opts(status))

/** A chat that no longer exists upstream (deleted, or owned by another cookie). */
export class ChatGoneError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ChatGoneError'
  }
}

export interface HixEnvelope {
  status?: number
  message?: string
  code?: number
}

/** `{"status":-5,"message":"not login"}` and its siblings, found where a stream was expected. */
export function envelopeError(env: HixEnvelope, httpStatus?: number): UpstreamError | ChatGoneError {
  const message = String(env.message ?? `status ${env.status ?? env.code ?? 'unknown'}`)
  if (env.status === NOT_LOGIN_STATUS || /not\s*login|unauthori[sz]ed|sign\s*in/i.test(message))
    return credentialInvalid(`${PROVIDER_ID}: not login (the session cookie expired or was signed out)`, opts(httpStatus))
  if (/chat.*(not\s*found|not\s*exist)|no\s*such\s*chat/i.test(message)) return new ChatGoneError(message)
  if (/credit|insufficient|usage|quota|balance|upgrade|subscri/i.test(message))
    return quotaExhausted(`${PROVIDER_ID}: out of credit for this model (${message})`, opts(httpStatus))
  if (/too\s*many|too\s*fast|frequen|rate\s*limit/i.test(message)) return rateLimited(`${PROVIDER_ID}: ${message}`, opts(httpStatus))
  return upstreamUnavailable(`${PROVIDER_ID}: ${message}`, opts(httpStatus))
}

export interface TrpcError {
  message?: string
  code?: number
  data?: { code?: string; httpStatus?: number; path?: string; usageType?: string }
}
export type TrpcItem<T> = { result?: { data?: { json?: T } }; error?: { json?: TrpcError } }

/** One tRPC error (`-32001` UNAUTHORIZED, `-32003` FORBIDDEN, ...) as a typed failure. */
export function trpcError(err: TrpcError, httpStatus?: number): UpstreamError {
  const code = err.data?.code ?? ''
  const status = err.data?.httpStatus ?? httpStatus
  const what = `${PROVIDER_ID}: ${err.data?.path ?? 'tRPC'} failed: ${err.message ?? code}`
  if (code === 'UNAUTHORIZED' || err.code === -32001 || /not\s*login/i.test(err.message ?? ''))
    return credentialInvalid(`${PROVIDER_ID}: not login (the session cookie expired or was signed out)`, opts(status))
  if (err.data?.usageType || /credit|usage|quota|insufficient|subscri/i.test(err.message ?? ''))
    return quotaExhausted(`${what} (needs ${err.data?.usageType ?? 'more'} credit)`, opts(status))
  if (code === 'FORBIDDEN' || err.code === -32003) return credentialInvalid(`${what} (forbidden for this account)`, opts(status))
  if (code === 'TOO_MANY_REQUESTS' || err.code === -32029) return rateLimited(what, opts(status))
  if (code === 'BAD_REQUEST' || code === 'NOT_FOUND' || err.code === -32600) return invalidRequest(what, opts(status))
  return upstreamUnavailable(what, opts(status))
}

/** A non-success HTTP reply (any call), read whole: Cloudflare, tRPC errors, envelopes, plain statuses. */
export function httpFailure(status: number, body: string, cfMitigated?: string): UpstreamError | ChatGoneError {
  if (isCloudflarePage(body, cfMitigated)) return cloudflareError(status)
  const json = tryJson(body)
  const firstError = Array.isArray(json) ? (json as TrpcItem<unknown>[]).find((i) => i?.error?.json)?.error?.json : undefined
  if (firstError) return trpcError(firstError, status)
  if (json && typeof json === 'object' && ('status' in json || 'message' in json)) {
    const failure = envelopeError(json as HixEnvelope, status)
    // An envelope we cannot name falls through to the HTTP status, which says more.
    if (!(failure instanceof UpstreamError && failure.kind === 'unavailable')) return failure
  }
  if (status === 401) return credentialInvalid(`${PROVIDER_ID}: not login (HTTP 401)`, opts(status))
  if (status === 403) {
    // An HTML 403 is Cloudflare's doing even without its markers; a JSON one is the account's.
    if (body.trimStart().startsWith('<'))
      return protocolError(`${PROVIDER_ID}: Forbidden (HTTP 403 page, likely Cloudflare); ${CLOUDFLARE_ADVICE}`, opts(status))
    return credentialInvalid(`${PROVIDER_ID}: Forbidden (HTTP 403)`, opts(status))
  }
  if (status === 429) return rateLimited(`${PROVIDER_ID}: too many requests`, opts(status))
  return upstreamUnavailable(`${PROVIDER_ID}: HTTP ${status}`, opts(status))
}

/** The `json` payload of each item of a 200 tRPC batch reply; an error item throws. */
export function trpcResults<T = unknown>(body: string): (T | undefined)[] {
  const json = tryJson(body)
  if (!Array.isArray(json)) {
    if (isCloudflarePage(body)) throw cloudflareError()
    throw protocolError(`${PROVIDER_ID}: expected a tRPC batch reply, got ${body.slice(0, 80)}`, opts())
  }
  return (json as TrpcItem<T>[]).map((item) => {
    if (item?.error?.json) throw trpcError(item.error.json)
    return item?.result?.data?.json
  })
}

export interface UsageRow {
  total_count?: number
  use_count?: number
  usage_type?: string
  status?: string | number
}
export interface SubUsage {
  usageList?: UsageRow[]
  isActiveSub?: boolean
}
export interface Credits {
  credit: number
  advancedCredit: number
  subscribed: boolean
}

const left = (row: UsageRow | undefined) => Math.max(0, (row?.total_count ?? 0) - (row?.use_count ?? 0))

/** Standard credit from the STANDARD row (else the first), advanced from the ADVANCED row (else the second) when subscribed. */
export function creditsOf(usage: SubUsage | undefined): Credits {
  const rows = usage?.usageList ?? []
  const typed = (t: string) => rows.find((r) => r.usage_type?.toUpperCase() === t)
  const subscribed = usage?.isActiveSub === true
  const standardRow = typed('STANDARD') ?? rows[0]
  const advancedRow = typed('ADVANCED') ?? rows[1]
  return { credit: left(standardRow), advancedCredit: subscribed ? left(advancedRow) : 0, subscribed }
}

export interface LineResult {
  events: DeltaEvent[]
  done: boolean
}

const nothing: LineResult = { events: [], done: false }

/**
 * One line of the chat stream. `data: {"content"}` is answer text, `{"reasoning_content"}` is
 * thinking, `{"thinking_time"}` closes the thinking, `[DONE]` ends; a bare JSON envelope or
 * Cloudflare HTML throws; anything else is ignored.
 */
export function parseStreamLine(rawLine: string): LineResult {
  const line = rawLine.replace(/\r$/, '')
  if (!line.trim()) return nothing
  if (!line.startsWith('data:')) {
    const trimmed = line.trim()
    if (trimmed.startsWith('{')) {
      const env = tryJson(trimmed) as HixEnvelope | undefined
      if (env && typeof env === 'object' && ('status' in env || 'message' in env)) throw envelopeError(env)
    }
    if (isCloudflarePage(line)) throw cloudflareError()
    return nothing
  }
  const payload = line.slice(5).trim()
  if (payload === '[DONE]') return { events: [], done: true }
  const json = tryJson(payload) as Record<string, unknown> | undefined
  if (!json || typeof json !== 'object') return nothing
  const events: DeltaEvent[] = []
  if (typeof json.reasoning_content === 'string' && json.reasoning_content)
    events.push({ type: 'reasoning', text: json.reasoning_content })
  if (typeof json.content === 'string' && json.content) events.push({ type: 'text', text: json.content })
  if (!events.length && typeof json.status === 'number' && json.status < 0) throw envelopeError(json as HixEnvelope)
  return { events, done: false }
}

/** The body as parsed lines, up to and including `[DONE]`; whatever follows it is not read. */
export async function* streamResults(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<LineResult> {
  for await (const line of readLines(body)) {
    const result = parseStreamLine(line)
    if (result.events.length || result.done) yield result
    if (result.done) return
  }
}
