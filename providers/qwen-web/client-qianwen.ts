// www.qianwen.com: POST chat2.qianwen.com/api/v2/chat with the browser's query, headers and body.
// ACS ("baxia") signing is disputed among peers; we follow the ones that report success with the
// ticket cookie and browser headers alone, and name the signature when the upstream asks for it.
import { randomBytes, randomUUID } from 'node:crypto'
import type { CookieJar } from '../../src/kit/cookie-jar.js'
import { cookieHeader } from '../../src/kit/cookie-jar.js'
import { runProbe } from '../../src/kit/probe.js'
import { jarOf } from './auth.js'
import { type Ctx, type OpenedChat, type SiteClient, type Turn, callJson, openEventStream, qianwenApiUrl } from './client.js'
import { PLATFORM, PROVIDER_ID, QIANWEN_ORIGIN, QIANWEN_QUERY, QIANWEN_WPK_BID, USER_AGENT } from './constants.js'
import { QianwenStreamParser } from './parse-qianwen.js'

const hex32 = () => randomBytes(16).toString('hex')
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
const nonce = () => Array.from(randomBytes(11), (b) => ALNUM[b % ALNUM.length]).join('')

/** `b-user-id` when the browser had one, else a device id minted once per credential. */
function deviceIdOf(ctx: Ctx, jar: CookieJar): string {
  const cookie = jar.get('b-user-id')
  if (cookie) return cookie
  const saved = ctx.credential.state.qianwenDeviceId
  if (typeof saved === 'string' && saved) return saved
  const minted = randomUUID()
  ctx.saveState({ qianwenDeviceId: minted })
  return minted
}

function headersFor(ctx: Ctx, jar: CookieJar, deviceId: string, reqId: string, accept: string): Record<string, string> {
  const h: Record<string, string> = {
    accept,
    cookie: cookieHeader(jar),
    origin: QIANWEN_ORIGIN,
    referer: `${QIANWEN_ORIGIN}/`,
    'user-agent': USER_AGENT,
    'x-platform': PLATFORM,
    'x-device-id': deviceId,
    'x-chat-id': reqId,
    'x-wpk-reqid': reqId,
    'x-wpk-traceid': reqId,
    'x-chat-biz': JSON.stringify({ chatId: reqId, agentId: '', enableWebp: '' }),
    'x-wpk-bid': QIANWEN_WPK_BID,
  }
  const xsrf = jar.get('XSRF-TOKEN')
  if (xsrf) h['x-csrf-token'] = xsrf
  return { ...h, ...ctx.settings.extra_headers }
}

export function chatBody(ctx: Ctx, turn: Turn, reqId: string, sessionId: string): Record<string, unknown> {
  const continuing = Boolean(turn.continuing)
  return {
    req_id: reqId,
    parent_req_id: turn.continuing?.parentId ?? '0',
    messages: [{ mime_type: 'text/plain', content: turn.prompt, meta_data: { ori_query: turn.prompt }, status: 'complete' }],
    scene: 'chat',
    sub_scene: 'chat',
    scene_param: continuing ? 'continue_chat' : 'first_turn',
    session_id: sessionId,
    biz_id: QIANWEN_QUERY.biz_id,
    topic_id: sessionId,
    model: turn.model,
    from: 'default',
    protocol_version: 'v2',
    messages_merge: false,
    chat_client: QIANWEN_QUERY.chat_client,
    deep_search: turn.thinking ? '1' : '0',
    temporary: ctx.settings.temporary,
    client_tm: Date.now(),
  }
}

export const qianwenClient: SiteClient = {
  async open(ctx: Ctx, turn: Turn): Promise<OpenedChat> {
    const jar = jarOf(ctx.credential.secret)
    const deviceId = deviceIdOf(ctx, jar)
    const reqId = hex32()
    const sessionId = turn.continuing?.conversationId ?? hex32()
    const res = await openEventStream(ctx, 'qianwen', `${ctx.settings.base_url}/api/v2/chat`, {
      query: { ...QIANWEN_QUERY, ut: deviceId, nonce: nonce(), timestamp: Date.now() },
      headers: headersFor(ctx, jar, deviceId, reqId, 'text/event-stream'),
      json: chatBody(ctx, turn, reqId, sessionId),
    })
    return { body: res.body, parser: new QianwenStreamParser(), known: { conversationId: sessionId, parentId: reqId } }
  },

  async remove(ctx, ref) {
    const jar = jarOf(ctx.credential.secret)
    await callJson(ctx, 'qianwen', `${qianwenApiUrl(ctx)}/api/v1/session/delete/batch`, {
      method: 'POST',
      headers: headersFor(ctx, jar, deviceIdOf(ctx, jar), hex32(), 'application/json'),
      json: { session_ids: [ref.conversationId] },
    })
  },

  /** No account call is documented; the model list is the cheapest call that carries the ticket. */
  probe(ctx) {
    const jar = jarOf(ctx.credential.secret)
    return runProbe(PROVIDER_ID, async () => {
      await callJson(ctx, 'qianwen', `${qianwenApiUrl(ctx)}/api/v1/model/list`, {
        method: 'GET',
        headers: headersFor(ctx, jar, deviceIdOf(ctx, jar), hex32(), 'application/json'),
      })
      return { ok: true }
    })
  },
}
