// HTTP calls to chat.deepseek.com/api/v0: headers, the {code, data:{biz_code, biz_data}} envelope
// and how its failures map onto the pool's error classes.
import { z } from 'zod'
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
import {
  CODES,
  DEFAULT_CLIENT_VERSION,
  DEFAULT_DIFFICULTY,
  DEFAULT_USER_AGENT,
  PATHS,
  POW_ALGORITHM,
  POW_HEADER,
  PROVIDER_ID,
} from './constants.js'

export const settingsSchema = z.object({
  /** Sent as X-Client-Version; DeepSeek rejects clients older than 2.0.0. */
  client_version: z.string().default(DEFAULT_CLIENT_VERSION),
  user_agent: z.string().default(DEFAULT_USER_AGENT),
  locale: z.string().default('en-US'),
  /** Worker threads solving proofs of work; 0 solves on the main thread (blocks it ~0.1 s). */
  pow_workers: z.number().int().min(0).max(16).default(1),
  /** How many times an INCOMPLETE answer is resumed with /chat/continue. */
  max_continues: z.number().int().min(0).max(32).default(8),
})
export type DeepseekSettings = z.infer<typeof settingsSchema>
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

export function baseHeaders(ctx: Ctx, token: string): Record<string, string> {
  const origin = new URL(ctx.settings.base_url).origin
  return {
    accept: '*/*',
    authorization: `Bearer ${token}`,
    origin,
    referer: `${origin}/`,
    'user-agent': ctx.settings.user_agent,
    'x-client-platform': 'web',
    'x-client-version': ctx.settings.client_version,
    'x-client-locale': ctx.settings.locale,
    'x-client-bundle-id': 'com.deepseek.chat',
  }
}

const looksLikeHtml = (res: HttpResponse, body: string) =>
  (res.header('content-type') ?? '').includes('text/html') || body.trimStart().startsWith('<')

function htmlError(path: string): UpstreamError {
  return protocolError(`${PROVIDER_ID}: HTML page instead of an API answer on ${path} (Cloudflare/WAF challenge?)`, {
    provider: PROVIDER_ID,
  })
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
      return upstreamUnavailable(`${message}: raise providers.${PROVIDER_ID}.client_version`, o)
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

async function readEnvelope(res: HttpResponse, path: string): Promise<Envelope> {
  const body = await res.text()
  if (looksLikeHtml(res, body)) throw htmlError(path)
  if (res.status < 200 || res.status >= 300)
    throw errorFromStatus(res.status, `${PROVIDER_ID}: ${upstreamMessage(body, res.status)}`, { provider: PROVIDER_ID })
  const envelope = tryJson(body) as Envelope | undefined
  if (envelope === undefined) throw protocolError(`${PROVIDER_ID}: unreadable answer on ${path}`, { provider: PROVIDER_ID })
  const err = envelopeError(envelope)
  if (err) throw err
  return envelope
}

/** GET (no body) or POST a JSON call and return its successful envelope. */
export async function callJson(ctx: Ctx, path: string, token: string, body?: unknown): Promise<Envelope> {
  const res = await ctx.http.request(urlOf(ctx, path), {
    method: body === undefined ? 'GET' : 'POST',
    headers: baseHeaders(ctx, token),
    ...(body === undefined ? {} : { json: body }),
    signal: ctx.signal,
  })
  return readEnvelope(res, path)
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
  await callJson(ctx, PATHS.deleteSession, token, { chat_session_id: sessionId })
}

export async function createPowChallenge(ctx: Ctx, token: string, targetPath: string): Promise<PowChallenge> {
  const envelope = await callJson(ctx, PATHS.createPowChallenge, token, { target_path: targetPath })
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
export async function openStream(ctx: Ctx, path: string, token: string, body: unknown, pow: string): Promise<HttpResponse> {
  const res = await ctx.http.request(urlOf(ctx, path), {
    method: 'POST',
    headers: {
      ...baseHeaders(ctx, token),
      accept: 'text/event-stream',
      [POW_HEADER]: pow,
      'x-client-timezone-offset': String(-new Date().getTimezoneOffset() * 60),
    },
    json: body,
    signal: ctx.signal,
  })
  if (res.status >= 200 && res.status < 300 && (res.header('content-type') ?? '').includes('text/event-stream')) return res
  await readEnvelope(res, path)
  throw protocolError(`${PROVIDER_ID}: JSON envelope instead of an event stream on ${path}`, { provider: PROVIDER_ID })
}
