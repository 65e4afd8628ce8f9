// metaso.cn calls: session creation, the searchV2 event stream and the account check. Every JSON
// answer is `{errCode, errMsg, data}`; errCode ≠ 0 is a failure even with HTTP 200.
import { type UpstreamError, credentialInvalid, errorFromStatus, protocolError, rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import type { HttpResponse } from '../../src/kit/http.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { maskSecretsIn } from '../../src/kit/log.js'
import { type SseEvent, readSse } from '../../src/kit/sse.js'
import type { CallContext } from '../../src/kit/types.js'
import { cookieHeader } from './auth.js'
import { type MetasoMode, PATHS, PROVIDER_ID } from './constants.js'

type Ctx = CallContext<object>
const opts = { provider: PROVIDER_ID }
const base = (ctx: Ctx) => ctx.settings.base_url

export interface SearchOptions {
  question: string
  mode: MetasoMode
  scholar: boolean
}

/** A failed metaso answer → failure class. */
export function metasoFailure(status: number, text: string): UpstreamError {
  if (text.trimStart().startsWith('<'))
    return protocolError(`${PROVIDER_ID}: got an HTML page (status ${status}) instead of an API answer`, { ...opts, upstreamStatus: status })
  const body = asObject(tryJson(text))
  const code = body?.errCode ?? body?.code
  const msg = maskSecretsIn(String(body?.errMsg ?? body?.msg ?? body?.message ?? text)).slice(0, 300)
  const label = `${PROVIDER_ID}: ${code !== undefined ? `errCode ${String(code)} — ` : ''}${msg || `HTTP ${status}`}`
  if (/TOO_MANY_REQUESTS|too many|频繁/i.test(`${String(code)} ${msg}`)) return rateLimited(label, { ...opts, upstreamStatus: status })
  if (status === 401 || status === 403 || /登录|login|unauthori[sz]ed/i.test(msg)) return credentialInvalid(label, { ...opts, upstreamStatus: status })
  if (status >= 400) return errorFromStatus(status, label, opts)
  if (!body) return protocolError(`${PROVIDER_ID}: unreadable answer (status ${status})`, opts)
  return upstreamUnavailable(label, opts)
}

function apiHeaders(ctx: Ctx, token?: string): Record<string, string> {
  const h: Record<string, string> = {
    cookie: cookieHeader(ctx.credential.secret),
    'is-mini-webview': '0',
    origin: base(ctx),
    referer: `${base(ctx)}/`,
  }
  if (token) h.token = token
  return h
}

async function readApi(res: HttpResponse): Promise<Record<string, unknown>> {
  const text = await res.text()
  const body = asObject(tryJson(text))
  const code = body?.errCode
  if (res.status < 200 || res.status >= 300 || !body || (code !== undefined && code !== 0 && code !== '0')) throw metasoFailure(res.status, text)
  return body
}

/** POST /api/session → the new session's id (numeric string; several field names seen). */
export async function createSession(ctx: Ctx, token: string, o: SearchOptions): Promise<string> {
  const res = await ctx.http.request(base(ctx) + PATHS.session, {
    method: 'POST',
    headers: { ...apiHeaders(ctx, token), accept: 'application/json' },
    json: { question: o.question, mode: o.mode, engineType: o.scholar ? 'scholar' : '', scholarSearchDomain: 'all' },
    signal: ctx.signal,
  })
  const body = await readApi(res)
  const data = (body.data ?? {}) as Record<string, unknown>
  const id = [data.id, data.sessionId, body.id, body.sessionId].find((v) => typeof v === 'string' || typeof v === 'number')
  if (id === undefined) throw protocolError(`${PROVIDER_ID}: session creation returned no id`, opts)
  return String(id)
}

export function searchQuery(sessionId: string, token: string, o: SearchOptions, origin: string): Record<string, string> {
  const query: Record<string, string> = {
    sessionId,
    question: o.question,
    lang: 'zh',
    mode: o.mode,
    url: `${origin}/search/${sessionId}?newSearch=true&q=${encodeURIComponent(o.question)}`,
    enableMix: 'true',
    scholarSearchDomain: 'all',
    expectedCurrentSessionSearchCount: '1',
    'is-mini-webview': '0',
    token,
  }
  if (o.scholar) query.engineType = 'scholar'
  return query
}

/** GET /api/searchV2 and hand back its events; anything but an event stream is an error. */
export async function openSearch(ctx: Ctx, token: string, sessionId: string, o: SearchOptions): Promise<AsyncGenerator<SseEvent>> {
  const res = await ctx.http.request(base(ctx) + PATHS.search, {
    headers: { ...apiHeaders(ctx), accept: 'text/event-stream' },
    query: searchQuery(sessionId, token, o, base(ctx)),
    signal: ctx.signal,
  })
  const contentType = res.header('content-type') ?? ''
  if (res.status !== 200 || !contentType.includes('text/event-stream')) {
    const text = await res.text().catch(() => '')
    const failure = metasoFailure(res.status, text)
    // A JSON envelope where the stream belongs: name it, keeping rate limits and auth failures.
    if (failure.kind === 'unavailable' && res.status === 200)
      throw protocolError(`${PROVIDER_ID}: expected an event stream, got ${contentType || 'no content type'}: ${failure.message}`, opts)
    throw failure
  }
  return readSse(res.body)
}

/** GET /api/my-info → the signed-in user, or a typed failure. */
export async function myInfo(ctx: Ctx): Promise<Record<string, unknown>> {
  const res = await ctx.http.request(base(ctx) + PATHS.myInfo, { headers: { ...apiHeaders(ctx), accept: 'application/json' }, signal: ctx.signal })
  const body = await readApi(res)
  const user = (body.data as Record<string, unknown> | undefined)?.user
  if (!user || typeof user !== 'object') throw credentialInvalid(`${PROVIDER_ID}: not signed in (no user in /api/my-info)`, opts)
  return user as Record<string, unknown>
}
