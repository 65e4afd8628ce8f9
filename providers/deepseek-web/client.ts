// HTTP calls to chat.deepseek.com/api/v0: headers, the {code, data:{biz_code, biz_data}} envelope
// and how its failures map onto the pool's error classes.
import {
  type UpstreamError,
  credentialInvalid,
  errorFromStatus,
  invalidRequest,
  protocolError,
  rateLimited,
  upstreamUnavailable,
} from '../../src/kit/errors.js'
import { type HttpResponse, upstreamMessage } from '../../src/kit/http.js'
import { tryJson } from '../../src/kit/json.js'
import type { CallContext } from '../../src/kit/types.js'
import { CODES, DEFAULT_DIFFICULTY, PATHS, POW_ALGORITHM, POW_HEADER, PROVIDER_ID, WAF_COOLDOWN_MS } from './constants.js'
import { type DeepseekSettings, browserHeaders, rememberCookies } from './identity.js'

export { type DeepseekSettings, settingsSchema } from './identity.js'
type Ctx = CallContext<DeepseekSettings>

export interface Envelope {
  code?: number | string
  msg?: string
  data?: { biz_code?: number; biz_msg?: string; biz_data?: unknown } | null
}

export interface PowChallenge {
  algorithm: string
  challenge: string
  salt: string
  signature: string
  difficulty: number
  expire_at: number
  target_path: string
}

/** Failures that carry DeepSeek's business code, so the chat flow can react to stale sessions. */
export type DeepseekError = UpstreamError & { bizCode?: number; powRejected?: boolean }

const urlOf = (ctx: Ctx, path: string) => ctx.settings.base_url + path

const looksLikeHtml = (res: HttpResponse, body: string) =>
  (res.header('content-type') ?? '').includes('text/html') || body.trimStart().startsWith('<')

/**
 * AWS WAF marks its challenge answers; without a valid aws-waf-token every call of this credential
 * gets one, so it cools (the operator must paste a fresh token) instead of being retried at once.
 */
function htmlError(res: HttpResponse, path: string): UpstreamError {
  const o = { provider: PROVIDER_ID, upstreamStatus: res.status }
  if (res.header('x-amzn-waf-action'))
    return rateLimited(
      `${PROVIDER_ID}: the AWS WAF asks for a browser check on ${path}; paste a fresh aws-waf-token cookie (and ds_session_id) with the token, or use an egress the WAF does not block`,
      { ...o, retryAfterMs: WAF_COOLDOWN_MS },
    )
  return protocolError(`${PROVIDER_ID}: HTML page instead of an API answer on ${path} (Cloudflare/WAF challenge?)`, o)
}

/** Map a non-zero code / biz_code to an error; undefined when the envelope reports success. */
export function envelopeError(envelope: Envelope): DeepseekError | undefined {
  const o = { provider: PROVIDER_ID }
  const code = Number(envelope.code ?? 0)
  const biz = envelope.data?.biz_code
  const message = `${PROVIDER_ID}: ${envelope.msg || envelope.data?.biz_msg || `code ${code || biz}`}`
  if (code !== 0) {
    if ((CODES.tokenInvalid as readonly number[]).includes(code)) return credentialInvalid(message, o)
    if (code === CODES.maybeRateLimited) return rateLimited(message, o)
    if (code === CODES.clientVersionTooLow)
      return upstreamUnavailable(
        `${message}: the site no longer accepts this client version; raise providers.${PROVIDER_ID}.client_version (and app_version, if set) to the version chat.deepseek.com sends now`,
        o,
      )
    if (/pow|challenge/i.test(message)) return Object.assign(upstreamUnavailable(message, o), { powRejected: true })
    if (/频率|too fast|rate.?limit/i.test(message)) return rateLimited(message, o)
    return upstreamUnavailable(message, o)
  }
  if (biz !== undefined && biz !== 0) {
    if (/频率|too fast|rate.?limit/i.test(message)) return rateLimited(message, o)
    return Object.assign(invalidRequest(message, o), { bizCode: biz })
  }
  return undefined
}

async function readEnvelope(ctx: Ctx, res: HttpResponse, path: string): Promise<Envelope> {
  rememberCookies(ctx, res)
  const body = await res.text()
  if (looksLikeHtml(res, body)) throw htmlError(res, path)
  if (res.status < 200 || res.status >= 300)
    throw errorFromStatus(res.status, `${PROVIDER_ID}: ${upstreamMessage(body, res.status)}`, { provider: PROVIDER_ID })
  const envelope = tryJson(body) as Envelope | undefined
  if (envelope === undefined) throw protocolError(`${PROVIDER_ID}: unreadable answer on ${path}`, { provider: PROVIDER_ID })
  const err = envelopeError(envelope)
  if (err) throw err
  return envelope
}

export interface CallOptions {
  /** The chat the call belongs to (sets the referer the way the chat page does). */
  sessionId?: string | undefined
  headers?: Record<string, string>
  /** A raw body (multipart) instead of JSON. */
  body?: Uint8Array
}

/** GET (no body) or POST a JSON call and return its successful envelope. */
export async function callJson(ctx: Ctx, path: string, token: string, json?: unknown, options: CallOptions = {}): Promise<Envelope> {
  const post = json !== undefined || options.body !== undefined
  const res = await ctx.http.request(urlOf(ctx, path), {
    method: post ? 'POST' : 'GET',
    headers: { ...browserHeaders(ctx, token, options.sessionId), ...options.headers },
    ...(json === undefined ? {} : { json }),
    ...(options.body === undefined ? {} : { body: options.body }),
    signal: ctx.signal,
  })
  return readEnvelope(ctx, res, path.split('?')[0]!)
}

/** Both id shapes: biz_data.chat_session.id (2026) and biz_data.id (2024–25). */
export async function createSession(ctx: Ctx, token: string): Promise<string> {
  const envelope = await callJson(ctx, PATHS.createSession, token, { character_id: null })
  const data = (envelope.data?.biz_data ?? {}) as { id?: unknown; chat_session?: { id?: unknown } }
  const id = data.chat_session?.id ?? data.id
  if (typeof id !== 'string' || !id) throw protocolError(`${PROVIDER_ID}: session created without an id`, { provider: PROVIDER_ID })
  return id
}

export async function deleteSession(ctx: Ctx, token: string, sessionId: string): Promise<void> {
  await callJson(ctx, PATHS.deleteSession, token, { chat_session_id: sessionId }, { sessionId })
}

export async function createPowChallenge(ctx: Ctx, token: string, targetPath: string, sessionId?: string): Promise<PowChallenge> {
  const envelope = await callJson(ctx, PATHS.createPowChallenge, token, { target_path: targetPath }, { sessionId })
  const c = (envelope.data?.biz_data as { challenge?: Partial<PowChallenge> } | undefined)?.challenge
  if (!c || typeof c.challenge !== 'string' || typeof c.salt !== 'string' || typeof c.expire_at !== 'number')
    throw protocolError(`${PROVIDER_ID}: no usable PoW challenge (IP or account blocked?)`, { provider: PROVIDER_ID })
  if (c.algorithm !== POW_ALGORITHM)
    throw protocolError(`${PROVIDER_ID}: unknown PoW algorithm ${c.algorithm}`, { provider: PROVIDER_ID })
  return { signature: '', target_path: targetPath, ...c, difficulty: c.difficulty || DEFAULT_DIFFICULTY } as PowChallenge
}

/** The X-Ds-Pow-Response value: base64 JSON in the key order the web client uses. */
export function powHeaderValue(c: PowChallenge, answer: number): string {
  const { algorithm, challenge, salt, signature, target_path } = c
  return Buffer.from(JSON.stringify({ algorithm, challenge, salt, answer, signature, target_path })).toString('base64')
}

/** POST a call answered with an event stream; anything else becomes the matching error. */
export async function openStream(ctx: Ctx, path: string, token: string, body: { chat_session_id: string }, pow: string): Promise<HttpResponse> {
  const res = await ctx.http.request(urlOf(ctx, path), {
    method: 'POST',
    headers: { ...browserHeaders(ctx, token, body.chat_session_id), accept: 'text/event-stream', [POW_HEADER]: pow },
    json: body,
    signal: ctx.signal,
  })
  if (res.status >= 200 && res.status < 300 && (res.header('content-type') ?? '').includes('text/event-stream')) {
    rememberCookies(ctx, res)
    return res
  }
  await readEnvelope(ctx, res, path)
  throw protocolError(`${PROVIDER_ID}: JSON envelope instead of an event stream on ${path}`, { provider: PROVIDER_ID })
}
