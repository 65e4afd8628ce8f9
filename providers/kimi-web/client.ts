// The current www.kimi.com protocol: Connect-RPC over HTTP with the `kimi-auth` JWT. The chat is a
// server stream whose request and response are both Connect-enveloped JSON; the other procedures
// are unary Connect calls with plain JSON bodies.
import { type ConnectMessage, encodeConnectFrame, readConnectMessages } from '../../src/kit/connect.js'
import { protocolError } from '../../src/kit/errors.js'
import { tryJson } from '../../src/kit/json.js'
import type { CallContext } from '../../src/kit/types.js'
import { assertNotExpired, claimsOf } from './auth.js'
import { CONNECT_CONTENT_TYPE, CONNECT_PATHS, PROVIDER_ID } from './constants.js'
import { connectHttpFailure } from './errors.js'

export interface ChatPayloadOptions {
  prompt: string
  scenario: string
  thinking: boolean
  search: boolean
  chatId?: string | undefined
  parentId?: string | undefined
}

/** Spec §2.2 request payload; chat_id / parent_id only on follow-up turns (empty strings are rejected). */
export function buildChatPayload(o: ChatPayloadOptions): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'user',
    blocks: [{ message_id: '', text: { content: o.prompt } }],
    scenario: o.scenario,
  }
  if (o.chatId && o.parentId) message.parent_id = o.parentId
  const payload: Record<string, unknown> = {
    scenario: o.scenario,
    tools: o.search ? [{ type: 'TOOL_TYPE_SEARCH', search: {} }] : [],
    message,
    options: { thinking: o.thinking },
  }
  if (o.chatId) return { chat_id: o.chatId, ...payload }
  return payload
}

export function connectHeaders(ctx: CallContext<object>, contentType: string): Record<string, string> {
  const token = ctx.credential.secret
  const claims = claimsOf(token)
  assertNotExpired(claims)
  const headers: Record<string, string> = {
    'content-type': contentType,
    'connect-protocol-version': '1',
    authorization: `Bearer ${token}`,
    cookie: `kimi-auth=${token}`,
    'x-msh-platform': 'web',
    'x-language': 'zh-CN',
    'r-timezone': 'Asia/Shanghai',
  }
  // The web client derives these ids from the JWT; OMNI found them optional, so send them only when known.
  if (claims?.sub) headers['x-traffic-id'] = claims.sub
  if (claims?.device_id) headers['x-msh-device-id'] = claims.device_id
  if (claims?.ssid) headers['x-msh-session-id'] = claims.ssid
  return headers
}

const base = (ctx: CallContext<object>) => ctx.settings.base_url

/** POST the chat request as one Connect frame and yield the reply's messages. */
export async function* connectChat(ctx: CallContext<object>, payload: Record<string, unknown>): AsyncGenerator<ConnectMessage> {
  const res = await ctx.http.request(base(ctx) + CONNECT_PATHS.chat, {
    method: 'POST',
    headers: { ...connectHeaders(ctx, CONNECT_CONTENT_TYPE), accept: CONNECT_CONTENT_TYPE },
    body: encodeConnectFrame(payload),
    signal: ctx.signal,
  })
  const contentType = res.header('content-type') ?? ''
  if (res.status !== 200 || !contentType.startsWith(CONNECT_CONTENT_TYPE)) {
    const text = await res.text().catch(() => '')
    throw connectHttpFailure(res.status, contentType, text)
  }
  yield* readConnectMessages(res.body)
}

/** A unary Connect call (plain JSON in and out). */
export async function connectUnary(ctx: CallContext<object>, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await ctx.http.request(base(ctx) + path, {
    method: 'POST',
    headers: { ...connectHeaders(ctx, 'application/json'), accept: 'application/json' },
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

export async function connectDeleteChat(ctx: CallContext<object>, chatId: string): Promise<void> {
  await connectUnary(ctx, CONNECT_PATHS.deleteChat, { chat_id: chatId })
}
