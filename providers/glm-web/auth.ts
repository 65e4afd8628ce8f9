// ChatGLM request signing and the refresh token → access token exchange.
import { createHash, randomUUID } from 'node:crypto'
import { protocolError } from '../../src/kit/errors.js'
import { type HttpResponse, upstreamMessage } from '../../src/kit/http.js'
import { tryJson } from '../../src/kit/json.js'
import { decodeJwtPayload, pickPastedValue } from '../../src/kit/pasted-secret.js'
import { SingleFlight, acrossInstances } from '../../src/kit/single-flight.js'
import type { CallContext } from '../../src/kit/types.js'
import { BROWSER_HEADERS, type GlmSettings, PATHS, PROVIDER_ID, REFRESH_COOKIE, SIGN_SECRET } from './constants.js'
import { type GlmEnvelope, classifyEnvelope, isSuccess } from './parse.js'

export type GlmContext = CallContext<GlmSettings>

const md5 = (s: string) => createHash('md5').update(s).digest('hex')
export const uuidHex = () => randomUUID().replace(/-/g, '')

/** Replace the second-to-last digit of a millisecond timestamp with the checksum GLM expects. */
export function signTimestamp(ms: string): string {
  const digits = Array.from(ms, Number)
  const t = digits.length
  const sum = digits.reduce((a, b) => a + b, 0)
  const check = (sum - digits[t - 2]!) % 10
  return `${ms.slice(0, t - 2)}${check}${ms.slice(t - 1)}`
}

export function signHeaders(nowMs = Date.now(), nonce = uuidHex()): Record<string, string> {
  const timestamp = signTimestamp(String(nowMs))
  return { 'X-Timestamp': timestamp, 'X-Nonce': nonce, 'X-Sign': md5(`${timestamp}-${nonce}-${SIGN_SECRET}`) }
}

/** What users paste: the bare token, `chatglm_refresh_token=...`, a cookie header or JSON. */
export function normalizeSecret(raw: string): string {
  return pickPastedValue(raw, [REFRESH_COOKIE, 'refresh_token', 'refreshToken', 'token', 'value'])
}

/** Device id the browser keeps per installation: made once per credential and cached. */
function deviceId(ctx: GlmContext): string {
  const cached = ctx.credential.state.deviceId
  if (typeof cached === 'string' && cached) return cached
  const id = uuidHex()
  ctx.saveState({ deviceId: id })
  return id
}

export function glmHeaders(ctx: GlmContext, bearer: string, referer = 'https://chatglm.cn/main/alltoolsdetail') {
  const h: Record<string, string> = {
    ...BROWSER_HEADERS,
    ...signHeaders(),
    'X-Device-Id': deviceId(ctx),
    'X-Request-Id': uuidHex(),
    Referer: referer,
    Authorization: `Bearer ${bearer}`,
  }
  if (ctx.settings.exp_groups) h['X-Exp-Groups'] = ctx.settings.exp_groups
  return h
}

/** Read a JSON envelope; an HTML page or other non-JSON is a protocol error naming the provider. */
export async function readEnvelope(res: HttpResponse): Promise<GlmEnvelope> {
  const text = await res.text()
  const parsed = tryJson(text)
  if (parsed && typeof parsed === 'object') return parsed as GlmEnvelope
  throw protocolError(`${PROVIDER_ID}: expected JSON, got ${upstreamMessage(text, res.status)} (HTTP ${res.status})`, {
    provider: PROVIDER_ID,
    upstreamStatus: res.status,
  })
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16)

/**
 * The refresh token in use: GLM may rotate it on refresh, and the rotated one is kept in state,
 * but only while the stored secret is the one it was derived from.
 */
function currentRefreshToken(ctx: GlmContext): string {
  const s = ctx.credential.state
  if (typeof s.refreshToken === 'string' && s.refreshTokenOf === digest(ctx.credential.secret)) return s.refreshToken
  return ctx.credential.secret
}

export class GlmTokens {
  private readonly flights = new SingleFlight<string>()
  /** How many refresh calls went upstream (observability and tests). */
  refreshCount = 0

  /** A cached access token, or one fresh refresh shared by every concurrent caller. */
  async accessToken(ctx: GlmContext): Promise<string> {
    const cached = this.cached(ctx)
    if (cached) return cached
    const key = ctx.credential.id === null ? `secret:${digest(ctx.credential.secret)}` : `id:${ctx.credential.id}`
    // Other instances may refresh the same credential: one does, the rest reuse what it stored.
    return this.flights.run(key, () => acrossInstances(ctx, async () => this.cached(ctx) ?? this.refresh(ctx)))
  }

  private cached(ctx: GlmContext): string | undefined {
    const s = ctx.credential.state
    const sameSecret = s.accessTokenOf === digest(ctx.credential.secret)
    if (sameSecret && typeof s.accessToken === 'string' && s.accessToken && Number(s.accessTokenExpiresAt) > Date.now()) return s.accessToken
    return undefined
  }

  /** Forget the cached access token after GLM refused it. */
  evict(ctx: GlmContext): void {
    ctx.saveState({ accessToken: null, accessTokenExpiresAt: 0 })
  }

  private async refresh(ctx: GlmContext): Promise<string> {
    this.refreshCount++
    const refreshToken = currentRefreshToken(ctx)
    const res = await ctx.http.request(ctx.settings.base_url + PATHS.refresh, {
      method: 'POST',
      json: {},
      headers: glmHeaders(ctx, refreshToken),
      signal: ctx.signal,
    })
    const env = await readEnvelope(res)
    if (res.status >= 400 || !isSuccess(env)) throw classifyEnvelope(env, res.status)
    const accessToken = env.result?.access_token
    if (typeof accessToken !== 'string' || !accessToken)
      throw protocolError(`${PROVIDER_ID}: refresh answer without access_token`, { provider: PROVIDER_ID })
    const rotated = env.result?.refresh_token
    const secretDigest = digest(ctx.credential.secret)
    ctx.saveState({
      accessToken,
      accessTokenOf: secretDigest,
      accessTokenExpiresAt: Date.now() + ctx.settings.access_token_ttl_s * 1000,
      ...(typeof rotated === 'string' && rotated ? { refreshToken: rotated, refreshTokenOf: secretDigest } : {}),
    })
    return accessToken
  }
}

/** Account label for the probe, read from the access token when it is a JWT. */
export function accountOf(accessToken: string): string | undefined {
  const payload = decodeJwtPayload(accessToken)
  const id = payload?.sub ?? payload?.user_id ?? payload?.uid
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}
