// chat.qwen.ai: Bearer JWT plus the browser cookies; a chat is created first, then each turn is
// posted to /api/v2/chat/completions?chat_id=… with parent_id threading the messages.
import { randomUUID } from 'node:crypto'
import { protocolError } from '../../src/kit/errors.js'
import { decodeJwtPayload } from '../../src/kit/pasted-secret.js'
import { jarOf } from './auth.js'
import { type Ctx, type SiteClient, type Turn, callJson, intlUrl, openEventStream } from './client.js'
import { INTL_BX_V, INTL_VERSION, PROVIDER_ID, USER_AGENT } from './constants.js'
import { IntlStreamParser } from './parse-intl.js'

function headersFor(ctx: Ctx, accept: string): Record<string, string> {
  const jar = jarOf(ctx.credential.secret)
  const token = jar.get('token') ?? ''
  const origin = intlUrl(ctx)
  return {
    accept,
    authorization: `Bearer ${token}`,
    cookie: ctx.credential.secret,
    origin,
    referer: `${origin}/`,
    'user-agent': USER_AGENT,
    source: 'web',
    version: INTL_VERSION,
    'bx-v': INTL_BX_V,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    // bx-ua / bx-umidtoken are browser anti-bot tokens: only sent when configured in extra_headers.
    ...ctx.settings.extra_headers,
  }
}

const url = (ctx: Ctx, path: string) => `${intlUrl(ctx)}${path}`

async function createChat(ctx: Ctx, model: string): Promise<string> {
  const env = await callJson<{ data?: { id?: unknown } }>(ctx, 'intl', url(ctx, '/api/v2/chats/new'), {
    method: 'POST',
    headers: headersFor(ctx, 'application/json'),
    json: { title: 'New Chat', models: [model], chat_mode: 'normal', chat_type: 't2t', timestamp: Date.now(), project_id: '' },
  })
  const id = env.data?.id
  if (typeof id !== 'string' || !id) throw protocolError(`${PROVIDER_ID}: chat.qwen.ai answered without a chat id`, { provider: PROVIDER_ID })
  return id
}

export function completionBody(turn: Turn, chatId: string, parentId: string | null): Record<string, unknown> {
  const now = Date.now()
  return {
    stream: true,
    version: '2.1',
    incremental_output: true,
    chat_id: chatId,
    chat_mode: 'normal',
    model: turn.model,
    parent_id: parentId,
    messages: [
      {
        fid: randomUUID(),
        parentId,
        childrenIds: [],
        role: 'user',
        content: turn.prompt,
        user_action: 'chat',
        files: [],
        timestamp: Math.floor(now / 1000),
        models: [turn.model],
        chat_type: 't2t',
        feature_config: { thinking_enabled: turn.thinking, output_schema: 'phase', auto_thinking: false, thinking_format: 'summary' },
        extra: { meta: { subChatType: 't2t' } },
        sub_chat_type: 't2t',
        parent_id: parentId,
      },
    ],
    timestamp: now,
  }
}

export const intlClient: SiteClient = {
  async open(ctx, turn) {
    const chatId = turn.continuing?.conversationId ?? (await createChat(ctx, turn.model))
    const parentId = turn.continuing?.parentId ?? null
    const res = await openEventStream(ctx, 'intl', url(ctx, '/api/v2/chat/completions'), {
      query: { chat_id: chatId },
      headers: headersFor(ctx, 'text/event-stream'),
      json: completionBody(turn, chatId, parentId),
    })
    return { body: res.body, parser: new IntlStreamParser(chatId), known: { conversationId: chatId } }
  },

  async remove(ctx, ref) {
    await callJson(ctx, 'intl', url(ctx, `/api/v2/chats/${encodeURIComponent(ref.conversationId)}`), {
      method: 'DELETE',
      headers: headersFor(ctx, 'application/json'),
    })
  },

  /** No account call is documented, so the probe reads the JWT: present, well-formed, unexpired. */
  async probe(ctx) {
    const claims = decodeJwtPayload(jarOf(ctx.credential.secret).get('token') ?? '')
    if (!claims) return { ok: false, reason: `${PROVIDER_ID}: the token is not a JWT` }
    const exp = Number(claims.exp)
    if (Number.isFinite(exp) && exp * 1000 < Date.now())
      return { ok: false, reason: `${PROVIDER_ID}: the token expired at ${new Date(exp * 1000).toISOString()}` }
    const account = claims.email ?? claims.id ?? claims.sub
    return { ok: true, ...(typeof account === 'string' ? { account } : {}) }
  },
}
