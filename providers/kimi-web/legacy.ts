// The legacy kimi.moonshot.cn REST + SSE protocol, used when the credential is a refresh token.
import { UpstreamError, protocolError } from '../../src/kit/errors.js'
import type { HttpResponse } from '../../src/kit/http.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { type SseEvent, readSse } from '../../src/kit/sse.js'
import type { CallContext } from '../../src/kit/types.js'
import { type LegacySession, deviceIds, legacyBase, legacySession } from './legacy-auth.js'
import { LEGACY_PATHS, PROVIDER_ID } from './constants.js'
import { legacyFailure } from './errors.js'

export interface LegacyCompletionOptions {
  prompt: string
  kimiplusId: string
  search: boolean
}

export function buildLegacyCompletion(o: LegacyCompletionOptions): Record<string, unknown> {
  return {
    kimiplus_id: o.kimiplusId,
    messages: [{ role: 'user', content: o.prompt }],
    refs: [],
    refs_file: [],
    use_math: false,
    use_research: false,
    use_search: o.search,
    extend: { sidebar: true },
  }
}

function headers(ctx: CallContext<object>, session: LegacySession, referer?: string): Record<string, string> {
  const ids = deviceIds(ctx)
  const origin = legacyBase(ctx)
  return {
    authorization: `Bearer ${session.accessToken}`,
    'x-traffic-id': session.userId,
    'x-msh-platform': 'web',
    'x-msh-device-id': ids.deviceId,
    'x-msh-session-id': ids.sessionId,
    'r-timezone': 'Asia/Shanghai',
    origin,
    referer: referer ?? `${origin}/`,
  }
}

/** Run a call with the cached access token; if the upstream rejects it, refresh once and retry. */
async function withSession(ctx: CallContext<object>, call: (s: LegacySession) => Promise<HttpResponse>): Promise<HttpResponse> {
  let session = await legacySession(ctx)
  for (let attempt = 0; ; attempt++) {
    const res = await call(session)
    if (res.status >= 200 && res.status < 300) return res
    const text = await res.text().catch(() => '')
    const failure = legacyFailure(res.status, text)
    if (failure.kind !== 'credential_invalid' || attempt > 0) throw failure
    session = await legacySession(ctx, { rejected: session.accessToken })
  }
}

export async function legacyCreateChat(ctx: CallContext<object>, kimiplusId: string): Promise<string> {
  const res = await withSession(ctx, (s) =>
    ctx.http.request(legacyBase(ctx) + LEGACY_PATHS.createChat, {
      method: 'POST',
      headers: headers(ctx, s),
      json: { enter_method: 'new_chat', is_example: false, kimiplus_id: kimiplusId, name: '未命名会话' },
      signal: ctx.signal,
    }),
  )
  const body = asObject(tryJson(await res.text()))
  if (typeof body?.id !== 'string') throw protocolError(`${PROVIDER_ID}: chat creation returned no id`, { provider: PROVIDER_ID })
  return body.id
}

export async function* legacyCompletion(ctx: CallContext<object>, chatId: string, body: Record<string, unknown>): AsyncGenerator<SseEvent> {
  const origin = legacyBase(ctx)
  const res = await withSession(ctx, (s) =>
    ctx.http.request(origin + LEGACY_PATHS.completion(chatId), {
      method: 'POST',
      headers: { ...headers(ctx, s, `${origin}/chat/${chatId}`), accept: 'text/event-stream' },
      json: body,
      signal: ctx.signal,
    }),
  )
  const contentType = res.header('content-type') ?? ''
  if (!contentType.includes('text/event-stream')) {
    const text = await res.text().catch(() => '')
    const failure = legacyFailure(200, text)
    // A JSON envelope without an error type is still not the stream we asked for.
    throw failure instanceof UpstreamError && failure.kind !== 'unavailable'
      ? failure
      : protocolError(`${PROVIDER_ID}: expected an event stream but got ${contentType || 'no content type'}`, { provider: PROVIDER_ID })
  }
  yield* readSse(res.body)
}

export async function legacyDeleteChat(ctx: CallContext<object>, chatId: string): Promise<void> {
  await withSession(ctx, (s) =>
    ctx.http.request(legacyBase(ctx) + LEGACY_PATHS.chat(chatId), { method: 'DELETE', headers: headers(ctx, s), signal: ctx.signal }),
  ).then((res) => res.discard())
}
