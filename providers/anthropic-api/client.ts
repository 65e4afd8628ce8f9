// HTTP calls to the Messages API: headers, error bodies → typed errors, the key probe.
import { parseRetryAfter } from '../../src/kit/errors.js'
import type { HttpResponse } from '../../src/kit/http.js'
import type { CallContext, CredentialHealth } from '../../src/kit/types.js'
import { API_VERSION, MESSAGES_PATH, MODELS_PATH } from './constants.js'
import { anthropicError, errorObjectOf } from './errors.js'
import type { AnthropicSettings } from './settings.js'

export type Ctx = CallContext<AnthropicSettings>

export const urlOf = (ctx: Ctx, path: string) => ctx.settings.base_url.replace(/\/+$/, '') + path

export function headersOf(ctx: Ctx): Record<string, string> {
  const h: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    ...ctx.settings.headers,
    'anthropic-version': API_VERSION,
    'x-api-key': ctx.credential.secret,
  }
  const beta = ctx.settings.anthropic_beta
  if (beta) h['anthropic-beta'] = Array.isArray(beta) ? beta.join(',') : beta
  return h
}

async function failure(res: HttpResponse, provider: string): Promise<Error> {
  const text = await res.text().catch(() => '')
  return anthropicError({
    provider,
    status: res.status,
    error: errorObjectOf(text),
    retryAfterMs: parseRetryAfter(res.headers['retry-after']),
  })
}

/** POST /v1/messages; a non-2xx answer becomes the typed error its Anthropic error type names. */
export async function postMessages(body: Record<string, unknown>, ctx: Ctx, provider: string): Promise<HttpResponse> {
  const res = await ctx.http.request(urlOf(ctx, MESSAGES_PATH), { json: body, headers: headersOf(ctx), signal: ctx.signal })
  if (res.status >= 200 && res.status < 300) return res
  throw await failure(res, provider)
}

/**
 * GET /v1/models proves the key. Only a refused key is ok:false; any other failure is thrown as
 * its typed error, so an outage or rate limit never marks a good key dead.
 */
export async function probe(ctx: Ctx, provider: string): Promise<CredentialHealth> {
  const res = await ctx.http.request(urlOf(ctx, MODELS_PATH), { headers: headersOf(ctx), signal: ctx.signal })
  if (res.status >= 200 && res.status < 300) {
    await res.discard()
    return { ok: true }
  }
  const err = await failure(res, provider)
  if (res.status === 401 || res.status === 403) return { ok: false, reason: err.message }
  throw err
}
