// HTTP calls to DashScope: Bearer auth, the async header, native and compatible-mode error bodies
// read into the pool's failure classes.
import { type UpstreamError, credentialInvalid, invalidRequest, quotaExhausted, rateLimited } from '../../src/kit/errors.js'
import { tryJson } from '../../src/kit/json.js'
import type { CallContext } from '../../src/kit/types.js'
import { TASK_PATH } from './constants.js'
import type { DashScopeSettings } from './settings.js'

export type Ctx = CallContext<DashScopeSettings>

export const urlOf = (ctx: Ctx, path: string) => ctx.settings.base_url.replace(/\/+$/, '') + path

export function headersOf(ctx: Ctx): Record<string, string> {
  return { ...ctx.settings.headers, authorization: `Bearer ${ctx.credential.secret}` }
}

/**
 * DashScope names its failures by code, native (`{code, message}`) and compatible mode
 * (`{error: {code, message}}`) alike; some travel with a status that alone would mislead (an
 * account in arrears answers 400). Unknown codes are left to the status.
 */
export function classify(provider: string, status: number, body: string): UpstreamError | undefined {
  const json = tryJson(body) as { code?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } } | undefined
  const code = String(json?.error?.code ?? json?.code ?? '')
  const message = `${provider}: ${String(json?.error?.message ?? json?.message ?? (code || `HTTP ${status}`)).slice(0, 300)}`
  const o = { provider, upstreamStatus: status }
  if (code === 'InvalidApiKey' || status === 401) return credentialInvalid(message, o)
  if (code === 'Arrearage' || code === 'Throttling.AllocationQuota') return quotaExhausted(message, o)
  if (code.startsWith('Throttling') || status === 429) return rateLimited(message, o)
  if (code === 'DataInspectionFailed' || code === 'InvalidParameter') return invalidRequest(message, o)
  return undefined
}

async function send(ctx: Ctx, provider: string, path: string, init: { json?: unknown; headers?: Record<string, string> }): Promise<unknown> {
  const res = await ctx.http.request(urlOf(ctx, path), { ...init, headers: { ...headersOf(ctx), ...init.headers }, signal: ctx.signal })
  const text = await res.text().catch(() => '')
  if (res.status < 200 || res.status >= 300) throw classify(provider, res.status, text) ?? ctx.http.statusError(res.status, text, res.headers['retry-after'])
  return tryJson(text)
}

/** POST a native service; `async` adds X-DashScope-Async (the async-only services refuse calls without it). */
export function postNative(ctx: Ctx, provider: string, path: string, body: unknown, async: boolean): Promise<unknown> {
  return send(ctx, provider, path, { json: body, headers: async ? { 'x-dashscope-async': 'enable' } : {} })
}

/** GET /api/v1/tasks/{id}: where an async task stands. */
export function getTask(ctx: Ctx, provider: string, taskId: string): Promise<unknown> {
  return send(ctx, provider, TASK_PATH + encodeURIComponent(taskId), {})
}
