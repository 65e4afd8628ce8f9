// chat.qwen.ai: Bearer JWT plus the browser cookies (or a token login, see login-intl.ts); a chat is
// created first, then each turn is posted to /api/v2/chat/completions?chat_id=… with parent_id
// threading the messages. Headers and payload fields as the 2026 site checks them: source, version,
// a fresh x-request-id (its absence draws a WAF page), bx-v, timestamp and project_id.
import { randomUUID } from 'node:crypto'
import { type UpstreamError, protocolError } from '../../src/kit/errors.js'
import { decodeJwtPayload } from '../../src/kit/pasted-secret.js'
import { runProbe } from '../../src/kit/probe.js'
import { type Ctx, type SiteClient, type Turn, callJson, intlUrl, openEventStream } from './client.js'
import { PROVIDER_ID, USER_AGENT } from './constants.js'
import { type IntlSession, intlSession, isLoginSecret, timezoneHeader } from './login-intl.js'
import { IntlStreamParser } from './parse-intl.js'

function headersFor(ctx: Ctx, session: IntlSession, accept: string): Record<string, string> {
  const origin = intlUrl(ctx)
  return {
    accept,
    authorization: `Bearer ${session.token}`,
    cookie: session.cookie,
    origin,
    referer: `${origin}/`,
    'user-agent': USER_AGENT,
    source: 'web',
    version: ctx.settings.intl_version,
    'bx-v': ctx.settings.intl_bx_v,
    'x-request-id': randomUUID(),
    'x-accel-buffering': 'no',
    timezone: timezoneHeader(),
    // bx-ua / bx-umidtoken are browser anti-bot tokens: only sent when configured in extra_headers.
    ...ctx.settings.extra_headers,
  }
}

const url = (ctx: Ctx, path: string) => `${intlUrl(ctx)}${path}`

/** A call with the current session; a signed-in token the site stops accepting gets one new login. */
async function withSession<T>(ctx: Ctx, call: (session: IntlSession) => Promise<T>): Promise<T> {
  const session = await intlSession(ctx)
  try {
    return await call(session)
  } catch (err) {
    if (!isLoginSecret(ctx.credential.secret) || (err as UpstreamError).kind !== 'credential_invalid') throw err
    return call(await intlSession(ctx, { rejected: session.token }))
  }
}

async function createChat(ctx: Ctx, session: IntlSession, model: string): Promise<string> {
  const env = await callJson<{ data?: { id?: unknown } }>(ctx, 'intl', url(ctx, '/api/v2/chats/new'), {
    method: 'POST',
    headers: headersFor(ctx, session, 'application/json'),
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
        feature_config: {
          thinking_enabled: turn.thinking,
          output_schema: 'phase',
          auto_thinking: false,
          thinking_format: 'summary',
          research_mode: 'normal',
          auto_search: true,
        },
        extra: { meta: { subChatType: 't2t' } },
        sub_chat_type: 't2t',
        parent_id: parentId,
        version: '2.1',
      },
    ],
    timestamp: now,
    project_id: '',
  }
}

export const intlClient: SiteClient = {
  open(ctx, turn) {
    return withSession(ctx, async (session) => {
      const chatId = turn.continuing?.conversationId ?? (await createChat(ctx, session, turn.model))
      const parentId = turn.continuing?.parentId ?? null
      const res = await openEventStream(ctx, 'intl', url(ctx, '/api/v2/chat/completions'), {
        query: { chat_id: chatId },
        headers: headersFor(ctx, session, 'text/event-stream'),
        json: completionBody(turn, chatId, parentId),
      })
      return { body: res.body, parser: new IntlStreamParser(chatId), known: { conversationId: chatId } }
    })
  },

  async remove(ctx, ref) {
    await withSession(ctx, (session) =>
      callJson(ctx, 'intl', url(ctx, `/api/v2/chats/${encodeURIComponent(ref.conversationId)}`), {
        method: 'DELETE',
        headers: headersFor(ctx, session, 'application/json'),
      }),
    )
  },

  /** A login is probed by signing in; a pasted token by reading the JWT: well-formed, unexpired. */
  async probe(ctx) {
    if (isLoginSecret(ctx.credential.secret))
      return runProbe(PROVIDER_ID, async () => {
        const session = await intlSession(ctx, 'always')
        const account = decodeJwtPayload(session.token)?.email ?? ctx.credential.secret.split(':')[0]
        return { ok: true, ...(typeof account === 'string' ? { account } : {}) }
      })
    const claims = decodeJwtPayload((await intlSession(ctx)).token)
    if (!claims) return { ok: false, reason: `${PROVIDER_ID}: the token is not a JWT` }
    const exp = Number(claims.exp)
    if (Number.isFinite(exp) && exp * 1000 < Date.now())
      return { ok: false, reason: `${PROVIDER_ID}: the token expired at ${new Date(exp * 1000).toISOString()}` }
    const account = claims.email ?? claims.id ?? claims.sub
    return { ok: true, ...(typeof account === 'string' ? { account } : {}) }
  },
}
