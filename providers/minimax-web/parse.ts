// Pure MiniMax handling: polled chat details and the legacy cumulative SSE → deltas, and
// envelopes → error classes.
import {
  type UpstreamError,
  credentialInvalid,
  protocolError,
  quotaExhausted,
  rateLimited,
  upstreamUnavailable,
} from '../../src/kit/errors.js'
import { CumulativeText } from '../../src/kit/cumulative.js'
import { tryJson } from '../../src/kit/json.js'
import { readSse } from '../../src/kit/sse.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { PROVIDER_ID } from './constants.js'
import { quoteBigIds } from './sign.js'

export interface AgentMessage {
  msg_id?: string | number
  msg_type?: number
  msg_content?: string
  extra_info?: { thinking_content?: string } | null
}

export interface Envelope {
  base_resp?: { status_code?: number; status_msg?: string }
  statusInfo?: { code?: number; message?: string; msg?: string }
  data?: Record<string, unknown>
  chat_id?: string | number
  msg_id?: string | number
  chat?: { chat_status?: number }
  messages?: AgentMessage[]
}

const ABNORMAL_ACCESS = 1000021

export const envelopeOk = (e: Envelope): boolean =>
  (e.base_resp?.status_code ?? 0) === 0 && (e.statusInfo?.code ?? 0) === 0

/** Failure class of an envelope or HTTP status, for the pool. */
export function classifyEnvelope(e: Envelope, httpStatus: number, hasRealUserId = true): UpstreamError {
  const message = String(e.base_resp?.status_msg ?? e.statusInfo?.message ?? e.statusInfo?.msg ?? `HTTP ${httpStatus}`).slice(0, 200)
  const o = { provider: PROVIDER_ID, upstreamStatus: httpStatus }
  const text = `${PROVIDER_ID}: ${message}`
  // 1000021 "异常用户访问" (abnormal user access): the site's answer to a dead token, and reportedly
  // also to a request signed the old way (updates-2026 §6.1–6.2), so both are named.
  if (e.statusInfo?.code === ABNORMAL_ACCESS)
    return credentialInvalid(`${text} (${ABNORMAL_ACCESS}: the token was refused — expired or logged out — or the x-signature no longer matches)`, o)
  if (httpStatus === 401 || httpStatus === 403 || /token (is )?(invalid|expired)|invalid token|not log|login|登录|unauthori[sz]ed|过期/i.test(message))
    return credentialInvalid(text, o)
  if (httpStatus === 429 || /频繁|too (many|fast|frequent)|rate limit|稍后再试/i.test(message)) return rateLimited(text, o)
  if (httpStatus === 402 || /额度|次数|quota|credit|余额|会员/i.test(message)) return quotaExhausted(text, o)
  if (/\bsign(ature)?\b|签名/i.test(message))
    return protocolError(`${text} (the yy / x-signature signing may have changed)`, o)
  if (!hasRealUserId && /unknown error/i.test(message))
    return credentialInvalid(`${text} (new accounts need the credential as realUserID+JWT)`, o)
  return upstreamUnavailable(text, o)
}

export interface PollState {
  text: CumulativeText
  reasoning: CumulativeText
}

export const newPollState = (): PollState => ({ text: new CumulativeText(), reasoning: new CumulativeText() })

/** Assistant messages answering our message: those after the newest user message. */
export function answerOf(messages: readonly AgentMessage[], sentMsgId?: string): { text: string; reasoning: string } {
  let start = messages.findIndex((m) => sentMsgId !== undefined && String(m.msg_id) === sentMsgId)
  if (start < 0) start = messages.findLastIndex((m) => m.msg_type === 1)
  const replies = messages.slice(start + 1).filter((m) => m.msg_type === 2)
  return {
    text: replies.map((m) => m.msg_content ?? '').join('\n\n'),
    reasoning: replies.map((m) => m.extra_info?.thinking_content ?? '').join(''),
  }
}

/** One get_chat_detail answer → the new deltas, and whether the chat is complete (status 2). */
export function pollDeltas(detail: Envelope, state: PollState, sentMsgId?: string): { events: DeltaEvent[]; done: boolean } {
  const answer = answerOf(detail.messages ?? [], sentMsgId)
  const events: DeltaEvent[] = []
  const r = state.reasoning.next(answer.reasoning)
  if (r) events.push({ type: 'reasoning', text: r })
  const t = state.text.next(answer.text)
  if (t) events.push({ type: 'text', text: t })
  return { events, done: detail.chat?.chat_status === 2 }
}

interface HailuoEvent {
  type?: number
  statusInfo?: { code?: number; message?: string }
  data?: { messageResult?: { chatID?: string | number; msgID?: string | number; isEnd?: number; content?: string } }
}

export interface HailuoState {
  text: CumulativeText
  conversationSent: boolean
  finished: boolean
}

export const newHailuoState = (): HailuoState => ({ text: new CumulativeText(), conversationSent: false, finished: false })

/** One legacy `message_result` payload → deltas. Note the inverted marker: isEnd 0 is the end. */
export function parseHailuoEvent(data: string, state: HailuoState): DeltaEvent[] {
  if (state.finished) return []
  const ev = tryJson(quoteBigIds(data)) as HailuoEvent | undefined
  if (!ev || typeof ev !== 'object') return []
  if ((ev.statusInfo?.code ?? 0) !== 0 && ev.type !== 3) throw classifyEnvelope({ statusInfo: ev.statusInfo }, 200)
  const out: DeltaEvent[] = []
  const result = ev.data?.messageResult
  if (result) {
    if (!state.conversationSent && result.chatID !== undefined) {
      state.conversationSent = true
      const conv: DeltaEvent = { type: 'conversation', id: String(result.chatID) }
      out.push(result.msgID !== undefined ? { ...conv, parentId: String(result.msgID) } : conv)
    }
    if (typeof result.content === 'string') {
      const d = state.text.next(result.content)
      if (d) out.push({ type: 'text', text: d })
    }
    if (result.isEnd === 0) state.finished = true
  }
  if (ev.type === 8) state.finished = true
  if (state.finished) out.push({ type: 'finish', reason: 'stop' })
  return out
}

export async function* parseHailuoStream(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<DeltaEvent> {
  const state = newHailuoState()
  for await (const sse of readSse(body)) {
    if (sse.event && sse.event !== 'message_result') continue
    yield* parseHailuoEvent(sse.data, state)
    if (state.finished) return
  }
  if (!state.text.text) throw protocolError(`${PROVIDER_ID}: hailuo stream ended before any answer`, { provider: PROVIDER_ID })
  yield { type: 'finish', reason: 'stop' }
}
