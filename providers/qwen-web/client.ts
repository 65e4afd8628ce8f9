// What the three Qwen site clients share: settings, the turn they send, and opening an event
// stream whose non-stream replies become classified errors.
import type { HttpResponse, RequestOptions } from '../../src/kit/http.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import type { SseEvent } from '../../src/kit/sse.js'
import type { CallContext, ConversationRef, CredentialHealth, DeltaEvent } from '../../src/kit/types.js'
import { INTL_URL, QIANWEN_API_URL, QIANWEN_CHAT_URL, type Site, TONGYI_URL } from './constants.js'
import { errorFromReply, isNoError } from './parse.js'

export interface QwenSettings {
  site: Site
  api_url?: string | undefined
  tongyi_url?: string | undefined
  intl_url?: string | undefined
  model_map: Record<string, string>
  temporary: boolean
  continue_sessions: boolean
  extra_headers: Record<string, string>
  intl_version: string
  intl_bx_v: string
}

export type Ctx = CallContext<QwenSettings>

export interface Turn {
  prompt: string
  /** Upstream model name (already mapped for the site). */
  model: string
  thinking: boolean
  continuing?: ConversationRef
  extra: Record<string, unknown>
}

export interface StreamParser {
  done: boolean
  push(ev: SseEvent): DeltaEvent[]
  end(): DeltaEvent[]
}

export interface OpenedChat {
  body: AsyncIterable<Uint8Array>
  parser: StreamParser
  /** The conversation this turn belongs to when known before the stream says so. */
  known?: ConversationRef
}

export interface SiteClient {
  open(ctx: Ctx, turn: Turn): Promise<OpenedChat>
  remove(ctx: Ctx, ref: ConversationRef): Promise<void>
  probe(ctx: Ctx): Promise<CredentialHealth>
}

/**
 * Where a call goes: the explicit setting when there is one; else base_url when it was configured
 * (a mirror or a test fake then serves every call); else the official host of that call.
 */
function originOf(ctx: Ctx, explicit: string | undefined, official: string): string {
  if (explicit) return explicit
  return ctx.settings.base_url === QIANWEN_CHAT_URL ? official : ctx.settings.base_url
}

export const qianwenApiUrl = (ctx: Ctx) => originOf(ctx, ctx.settings.api_url, QIANWEN_API_URL)
export const tongyiUrl = (ctx: Ctx) => originOf(ctx, ctx.settings.tongyi_url, TONGYI_URL)
export const intlUrl = (ctx: Ctx) => originOf(ctx, ctx.settings.intl_url, INTL_URL)

/** POST expecting an event stream; JSON envelopes and HTML pages become classified errors. */
export async function openEventStream(ctx: Ctx, site: Site, url: string, options: RequestOptions): Promise<HttpResponse> {
  const res = await ctx.http.request(url, { method: 'POST', signal: ctx.signal, ...options })
  const type = res.header('content-type') ?? ''
  if (res.status === 200 && type.includes('text/event-stream')) return res
  const text = await res.text().catch(() => '')
  ctx.log.warn('qwen-web: no event stream', { site, status: res.status, type })
  throw errorFromReply(site, res.status, text)
}

/** A JSON call whose envelope must say success (`success`, `code`/`error_code` zero). */
export async function callJson<T = Record<string, unknown>>(ctx: Ctx, site: Site, url: string, options: RequestOptions): Promise<T> {
  const res = await ctx.http.request(url, { signal: ctx.signal, ...options })
  const text = await res.text()
  const body = asObject(tryJson(text))
  const failed = !body || res.status >= 300 || body.success === false || !isNoError(body.errorCode ?? body.error_code)
  if (failed) throw errorFromReply(site, res.status, text)
  return body as T
}
