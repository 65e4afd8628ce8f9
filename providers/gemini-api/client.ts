// HTTP calls to the Gemini API: the key header, failure bodies → typed errors, the key probe.
import { errorFromStatus, parseRetryAfter, protocolError } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import type { HttpResponse } from '../../src/kit/http.js'
import type { CallContext, CredentialHealth } from '../../src/kit/types.js'
import { errorObjectOf, geminiError } from './errors.js'
import type { GeminiSettings } from './settings.js'

export type Ctx = CallContext<GeminiSettings>

const headersOf = (ctx: Ctx) => ({ accept: 'application/json, text/event-stream', ...ctx.settings.headers, 'x-goog-api-key': ctx.credential.secret })

async function failure(res: HttpResponse, provider: string): Promise<Error> {
  const text = await res.text().catch(() => '')
  // Google answers in JSON; an HTML page comes from a proxy, a CDN or a captive portal, and says nothing about the key.
  if (text.trimStart().startsWith('<')) {
    const message = `${provider}: an HTML page (HTTP ${res.status}) instead of an API answer`
    return res.status >= 500 ? errorFromStatus(res.status, message, { provider }) : protocolError(message, { provider, upstreamStatus: res.status })
  }
  return geminiError(provider, res.status, errorObjectOf(text), parseRetryAfter(res.headers['retry-after']))
}

/** POST models/{model}:generateContent, or :streamGenerateContent?alt=sse when streaming. */
export async function generate(model: string, body: Record<string, unknown>, stream: boolean, ctx: Ctx, provider: string): Promise<HttpResponse> {
  const method = stream ? 'streamGenerateContent' : 'generateContent'
  const res = await ctx.http.request(`${ctx.settings.base_url}/models/${encodeURIComponent(model)}:${method}`, {
    json: body,
    ...(stream ? { query: { alt: 'sse' } } : {}),
    headers: headersOf(ctx),
    signal: ctx.signal,
  })
  if (res.status >= 200 && res.status < 300) return res
  throw await failure(res, provider)
}

/** GET models proves the key; only a refused key is ok:false, anything else is thrown as it is. */
export async function probe(ctx: Ctx, provider: string): Promise<CredentialHealth> {
  const res = await ctx.http.request(`${ctx.settings.base_url}/models`, { query: { pageSize: 1 }, headers: headersOf(ctx), signal: ctx.signal })
  if (res.status >= 200 && res.status < 300) {
    if (!Array.isArray(asObject(tryJson(await res.text()))?.models)) throw protocolError(`${provider}: the model list is not Google's JSON`, { provider })
    return { ok: true }
  }
  const err = await failure(res, provider)
  if ((err as { kind?: string }).kind === 'credential_invalid') return { ok: false, reason: err.message }
  throw err
}
