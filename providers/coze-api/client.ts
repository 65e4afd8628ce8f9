// HTTP calls to the Coze Open API. Every reply is read as the `{code,msg,data}` envelope whatever
// the HTTP status, because Coze reports business errors by `code` (sometimes with status 200).
import { errorFromStatus, protocolError } from '../../src/kit/errors.js'
import type { HttpResponse, Query } from '../../src/kit/http.js'
import { tryJson } from '../../src/kit/json.js'
import type { CallContext } from '../../src/kit/types.js'
import { authHeaders } from './auth.js'
import { PATHS, PROVIDER_ID } from './constants.js'
import { BotRefused, errorForCode, isRefusalCode } from './errors.js'
import type { CozeInputMessage } from './messages.js'
import type { CozeChat, CozeMessage } from './parse.js'

export interface CreateChatBody {
  bot_id: string
  user_id: string
  additional_messages: CozeInputMessage[]
  stream: boolean
  auto_save_history: boolean
  custom_variables?: Record<string, string>
  meta_data?: Record<string, string>
  parameters?: Record<string, unknown>
}

interface Envelope<T> {
  code?: number
  msg?: string
  data?: T
  detail?: { logid?: string }
}

type Ctx = CallContext<Record<string, unknown>>

const urlOf = (ctx: Ctx, path: string) => ctx.settings.base_url + path

async function call(ctx: Ctx, path: string, init: { method?: string; json?: unknown; query?: Query; signal?: AbortSignal | null }) {
  return ctx.http.request(urlOf(ctx, path), {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { ...authHeaders(ctx.credential.secret), accept: 'application/json' },
    ...(init.json === undefined ? {} : { json: init.json }),
    ...(init.query ? { query: init.query } : {}),
    // null = deliberately not tied to the client (clean-up after the client has gone)
    ...(init.signal === null ? { timeoutMs: 5_000 } : { signal: init.signal ?? ctx.signal }),
  })
}

/** Unwrap `{code,msg,data}`; any non-zero code or unreadable body becomes a typed error. */
export async function readEnvelope<T>(res: HttpResponse): Promise<T> {
  const text = await res.text()
  const body = tryJson(text) as Envelope<T> | undefined
  if (body === undefined) {
    if (text.trim().startsWith('<'))
      throw protocolError(`${PROVIDER_ID} answered with an HTML page (HTTP ${res.status}), not the Coze API`, { provider: PROVIDER_ID })
    if (res.status >= 400) throw errorFromStatus(res.status, `${PROVIDER_ID}: HTTP ${res.status}`, { provider: PROVIDER_ID })
    throw protocolError(`${PROVIDER_ID} sent a body that is not JSON`, { provider: PROVIDER_ID })
  }
  const code = Number(body?.code ?? 0)
  if (code !== 0) {
    const failure = { code, msg: body.msg ?? '', logid: body.detail?.logid ?? res.header('x-tt-logid'), httpStatus: res.status }
    if (isRefusalCode(code)) throw new BotRefused(failure)
    throw errorForCode(failure)
  }
  if (res.status >= 400) throw errorFromStatus(res.status, `${PROVIDER_ID}: HTTP ${res.status}`, { provider: PROVIDER_ID })
  return body.data as T
}

const conversationQuery = (conversationId?: string): Query | undefined =>
  conversationId ? { conversation_id: conversationId } : undefined

/** `stream:true` create; returns the open event stream, or throws what the envelope said. */
export async function openChatStream(ctx: Ctx, body: CreateChatBody, conversationId?: string): Promise<HttpResponse> {
  const res = await ctx.http.request(urlOf(ctx, PATHS.chat), {
    method: 'POST',
    headers: { ...authHeaders(ctx.credential.secret), accept: 'text/event-stream' },
    json: body,
    query: conversationQuery(conversationId),
    signal: ctx.signal,
  })
  const type = res.header('content-type') ?? ''
  if (res.status < 300 && type.includes('text/event-stream')) return res
  await readEnvelope(res)
  throw protocolError(`${PROVIDER_ID} returned a JSON envelope where an event stream was expected`, { provider: PROVIDER_ID })
}

/** `stream:false` create; the chat comes back `in_progress` and must be polled. */
export async function createChat(ctx: Ctx, body: CreateChatBody, conversationId?: string): Promise<CozeChat> {
  const q = conversationQuery(conversationId)
  return readEnvelope<CozeChat>(await call(ctx, PATHS.chat, { json: body, ...(q ? { query: q } : {}) }))
}

export async function retrieveChat(ctx: Ctx, conversationId: string, chatId: string): Promise<CozeChat> {
  return readEnvelope<CozeChat>(await call(ctx, PATHS.retrieve, { query: { conversation_id: conversationId, chat_id: chatId } }))
}

export async function listChatMessages(ctx: Ctx, conversationId: string, chatId: string): Promise<CozeMessage[]> {
  const data = await readEnvelope<CozeMessage[] | null>(
    await call(ctx, PATHS.messages, { query: { conversation_id: conversationId, chat_id: chatId } }),
  )
  return data ?? []
}

/** Best-effort: used after the client has gone, so it carries its own short timeout. */
export async function cancelChat(ctx: Ctx, conversationId: string, chatId: string): Promise<void> {
  await readEnvelope(await call(ctx, PATHS.cancel, { json: { conversation_id: conversationId, chat_id: chatId }, signal: null }))
}

export async function deleteConversation(ctx: Ctx, conversationId: string, signal?: AbortSignal | null): Promise<void> {
  const path = `${PATHS.conversations}/${encodeURIComponent(conversationId)}`
  await readEnvelope(await call(ctx, path, { method: 'DELETE', ...(signal === undefined ? {} : { signal }) }))
}

export async function listConversations(ctx: Ctx, botId: string): Promise<{ has_more?: boolean; conversations?: unknown[] }> {
  const query = { bot_id: botId, page_num: 1, page_size: 1 }
  return (await readEnvelope<{ conversations?: unknown[] }>(await call(ctx, PATHS.conversations, { query }))) ?? {}
}
