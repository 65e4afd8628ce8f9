// What the three Qwen site clients share: settings, the turn they send, and opening an event
// stream whose non-stream replies become classified errors.
import type { HttpResponse, RequestOptions } from '../../src/kit/http.js'
import type { SseEvent } from '../../src/kit/sse.js'
import type { CallContext, ConversationRef, CredentialHealth, DeltaEvent } from '../../src/kit/types.js'
import type { Site } from './constants.js'
import { errorFromReply, isNoError } from './parse.js'

export interface QwenSettings {
  site: Site
  api_url: string
  tongyi_url: string
  intl_url: string
  model_map: Record<string, string>
  temporary: boolean
  continue_sessions: boolean
  extra_headers: Record<string, string>
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

export const trimSlash = (url: string) => url.replace(/\/+$/, '')

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
  let body: Record<string, unknown> | undefined
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    body = undefined
  }
  const failed = !body || res.status >= 300 || body.success === false || !isNoError(body.errorCode ?? body.error_code)
  if (failed) throw errorFromReply(site, res.status, text)
  return body as T
}
