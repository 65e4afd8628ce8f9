// Legacy Tongyi: POST qianwen.biz.aliyun.com/dialog/conversation with the ticket cookie and the
// fixed XSRF header; conversations are `sessionId-msgId`.
import { randomUUID } from 'node:crypto'
import { protocolError } from '../../src/kit/errors.js'
import { runProbe } from '../../src/kit/probe.js'
import { jarOf, tongyiCookie } from './auth.js'
import { type Ctx, type SiteClient, callJson, openEventStream, tongyiUrl } from './client.js'
import { PLATFORM, PROVIDER_ID, TONGYI_ORIGIN, TONGYI_XSRF, USER_AGENT } from './constants.js'
import { TONGYI_CONVERSATION, TongyiStreamParser } from './parse-tongyi.js'

const hex32 = () => randomUUID().replace(/-/g, '')

function headersFor(ctx: Ctx, accept: string): Record<string, string> {
  const { cookie, clientId } = tongyiCookie(jarOf(ctx.credential.secret), ctx.credential.state)
  if (clientId) ctx.saveState({ tongyiClientId: clientId })
  return {
    accept,
    cookie,
    origin: TONGYI_ORIGIN,
    referer: `${TONGYI_ORIGIN}/`,
    'user-agent': USER_AGENT,
    'x-platform': PLATFORM,
    'x-xsrf-token': TONGYI_XSRF,
    ...ctx.settings.extra_headers,
  }
}

/** `sessionId-msgId` (what we hand out), or a bare session id with the parent beside it. */
export function threadOf(conversationId: string, parentId?: string): { sessionId: string; parentMsgId: string } {
  const m = TONGYI_CONVERSATION.exec(conversationId)
  if (m) return { sessionId: m[1]!, parentMsgId: m[2]! }
  return { sessionId: conversationId, parentMsgId: parentId ?? '' }
}

const url = (ctx: Ctx, path: string) => `${tongyiUrl(ctx)}${path}`

export const tongyiClient: SiteClient = {
  async open(ctx, turn) {
    const thread = turn.continuing
      ? threadOf(turn.continuing.conversationId, turn.continuing.parentId)
      : { sessionId: '', parentMsgId: '' }
    const searchType = turn.extra.search_type
    const res = await openEventStream(ctx, 'tongyi', url(ctx, '/dialog/conversation'), {
      headers: headersFor(ctx, 'text/event-stream'),
      json: {
        mode: 'chat',
        model: '',
        action: 'next',
        userAction: 'chat',
        requestId: hex32(),
        sessionId: thread.sessionId,
        sessionType: 'text_chat',
        parentMsgId: thread.parentMsgId,
        params: { fileUploadBatchId: randomUUID(), searchType: typeof searchType === 'string' ? searchType : '' },
        contents: [{ content: turn.prompt, contentType: 'text', role: 'user' }],
      },
    })
    return { body: res.body, parser: new TongyiStreamParser() }
  },

  async remove(ctx, ref) {
    await callJson(ctx, 'tongyi', url(ctx, '/dialog/session/delete'), {
      method: 'POST',
      headers: headersFor(ctx, 'application/json'),
      json: { sessionId: threadOf(ref.conversationId).sessionId },
    })
  },

  probe(ctx) {
    return runProbe(PROVIDER_ID, async () => {
      const env = await callJson<{ data?: unknown }>(ctx, 'tongyi', url(ctx, '/dialog/session/list'), {
        method: 'POST',
        headers: headersFor(ctx, 'application/json'),
        json: {},
      })
      // A success envelope without the list is an answer we cannot read, not a verdict on the cookie.
      if (!Array.isArray(env.data)) throw protocolError(`${PROVIDER_ID}: the Tongyi session list has no data`, { provider: PROVIDER_ID })
      return { ok: true }
    })
  },
}
