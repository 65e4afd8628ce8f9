// The current www.kimi.com protocol: Connect-RPC over HTTP with a Bearer access JWT. The chat is a
// server stream whose request and response are both Connect-enveloped JSON; the other procedures
// are unary Connect calls with plain JSON bodies.
import { type ConnectMessage, encodeConnectFrame, readConnectMessages } from '../../src/kit/connect.js'
import { protocolError } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import type { CallContext } from '../../src/kit/types.js'
import { CONNECT_CONTENT_TYPE, CONNECT_PATHS, MSH_VERSION, PROVIDER_ID } from './constants.js'
import { connectFailure, connectHttpFailure } from './errors.js'
import type { KimiAccess } from './session.js'

export interface ChatPayloadOptions {
  prompt: string
  scenario: string
  thinking: boolean
  /** `options.reasoning_effort` enum value, sent only with thinking on. */
  reasoningEffort?: string | undefined
  search: boolean
  chatId?: string | undefined
  parentId?: string | undefined
}

/**
 * Spec §2.2 request payload plus the 2026 fields (updates-2026 §1.5: `project_id`, `message.is_goal`,
 * `options.reasoning_effort`); chat_id / parent_id only on follow-up turns (empty strings are rejected).
 */
export function buildChatPayload(o: ChatPayloadOptions): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'user',
    blocks: [{ message_id: '', text: { content: o.prompt } }],
    scenario: o.scenario,
    is_goal: false,
  }
  if (o.chatId && o.parentId) message.parent_id = o.parentId
  const options: Record<string, unknown> = { thinking: o.thinking }
  if (o.thinking && o.reasoningEffort) options.reasoning_effort = o.reasoningEffort
  const payload: Record<string, unknown> = {
    scenario: o.scenario,
    tools: o.search ? [{ type: 'TOOL_TYPE_SEARCH', search: {} }] : [],
    message,
    options,
    project_id: '',
  }
  if (o.chatId) return { chat_id: o.chatId, ...payload }
  return payload
}

export function connectHeaders(access: KimiAccess, contentType: string): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': contentType,
    'connect-protocol-version': '1',
    authorization: `Bearer ${access.token}`,
    'x-msh-platform': 'web',
    'x-msh-version': MSH_VERSION,
    'x-language': 'zh-CN',
    'r-timezone': 'Asia/Shanghai',
  }
  // New logins have no cookie; the old kimi-auth JWT was sent as both.
  if (access.cookie) headers.cookie = `kimi-auth=${access.token}`
  // The web client derives these ids from the JWT claims; OMNI found them optional, so send them only when known.
  const id = access.identity
  if (id?.sub) headers['x-traffic-id'] = String(id.sub)
  if (id?.device_id) headers['x-msh-device-id'] = String(id.device_id)
  if (id?.ssid) headers['x-msh-session-id'] = String(id.ssid)
  return headers
}

const base = (ctx: CallContext<object>) => ctx.settings.base_url

const isAuthError = (msg: ConnectMessage) => {
  const code = asObject(msg.json.error)?.code
  return code === 'unauthenticated' || code === 'permission_denied'
}

/**
 * POST the chat request as one Connect frame; resolves once the first message is read, so that a
 * rejected token (HTTP 401 or an `unauthenticated` first frame) throws here, before any event, and
 * the caller can renew and retry.
 */
export async function openChat(
  ctx: CallContext<object>,
  access: KimiAccess,
  payload: Record<string, unknown>,
): Promise<AsyncGenerator<ConnectMessage>> {
  const res = await ctx.http.request(base(ctx) + CONNECT_PATHS.chat, {
    method: 'POST',
    headers: { ...connectHeaders(access, CONNECT_CONTENT_TYPE), accept: CONNECT_CONTENT_TYPE },
    body: encodeConnectFrame(payload),
    signal: ctx.signal,
  })
  const contentType = res.header('content-type') ?? ''
  if (res.status !== 200 || !contentType.startsWith(CONNECT_CONTENT_TYPE)) {
    const text = await res.text().catch(() => '')
    throw connectHttpFailure(res.status, contentType, text)
  }
  const messages = readConnectMessages(res.body)
  const first = await messages.next()
  if (!first.done && isAuthError(first.value)) {
    await messages.return(undefined)
    const error = asObject(first.value.json.error)
    throw connectFailure(String(error?.code), typeof error?.message === 'string' ? error.message : undefined)
  }
  return (async function* () {
    if (!first.done) yield first.value
    yield* messages
  })()
}

/** A unary Connect call (plain JSON in and out). */
export async function connectUnary(ctx: CallContext<object>, access: KimiAccess, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await ctx.http.request(base(ctx) + path, {
    method: 'POST',
    headers: { ...connectHeaders(access, 'application/json'), accept: 'application/json' },
    body: JSON.stringify(body),
    signal: ctx.signal,
  })
  const text = await res.text()
  const contentType = res.header('content-type') ?? ''
  if (res.status !== 200 || !contentType.includes('json')) throw connectHttpFailure(res.status, contentType, text)
  const answer = text ? tryJson(text) : {}
  if (answer === undefined) throw protocolError(`${PROVIDER_ID}: unreadable JSON from ${path}`, { provider: PROVIDER_ID })
  return answer as Record<string, unknown>
}

export async function connectDeleteChat(ctx: CallContext<object>, access: KimiAccess, chatId: string): Promise<void> {
  await connectUnary(ctx, access, CONNECT_PATHS.deleteChat, { chat_id: chatId })
}
