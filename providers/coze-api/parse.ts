// Pure translation of Coze v3 payloads (stream events, Chat and Message objects) into DeltaEvents.
import { type CumulativeText, channelOf } from '../../src/kit/cumulative.js'
import { notSupported, protocolError } from '../../src/kit/errors.js'
import { tryJson } from '../../src/kit/json.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { PROVIDER_ID } from './constants.js'
import { errorForCode, isRefusalCode } from './errors.js'

export interface CozeUsage {
  token_count?: number
  output_count?: number
  input_count?: number
}

export interface CozeChat {
  id: string
  conversation_id: string
  bot_id?: string
  status?: string
  last_error?: { code?: number; msg?: string }
  usage?: CozeUsage
}

export interface CozeMessage {
  id?: string
  conversation_id?: string
  chat_id?: string
  role?: string
  type?: string
  content?: string
  content_type?: string
  reasoning_content?: string
}

export interface StreamState {
  conversationSent: boolean
  chatId?: string
  /** Text already emitted per answer message id, to reconcile `message.completed`. */
  streamed: Map<string, CumulativeText>
  reasoned: Map<string, CumulativeText>
  lastAnswerId?: string
  finished: boolean
  done: boolean
}

export const newStreamState = (): StreamState => ({
  conversationSent: false,
  streamed: new Map(),
  reasoned: new Map(),
  finished: false,
  done: false,
})

/** Separates the answers of a multi-answer reply, which Coze sends as separate messages. */
const ANSWER_SEPARATOR = '\n\n'

export function usageEvents(usage: CozeUsage | undefined): DeltaEvent[] {
  if (!usage) return []
  const prompt = usage.input_count ?? 0
  const completion = usage.output_count ?? 0
  // created/in_progress chats carry all-zero usage; that is "not counted yet", not a real count.
  if (prompt + completion + (usage.token_count ?? 0) === 0) return []
  return [{ type: 'usage', promptTokens: prompt, completionTokens: completion }]
}

const isAnswer = (m: CozeMessage) => (m.type ?? 'answer') === 'answer' && (m.role ?? 'assistant') === 'assistant'
const isTextual = (m: CozeMessage) => !m.content_type || m.content_type === 'text'

function answerText(id: string, text: string, state: StreamState): DeltaEvent[] {
  if (!text) return []
  const out: DeltaEvent[] = []
  if (state.lastAnswerId !== undefined && state.lastAnswerId !== id) out.push({ type: 'text', text: ANSWER_SEPARATOR })
  state.lastAnswerId = id
  out.push({ type: 'text', text })
  return out
}

const reasoningText = (text: string): DeltaEvent[] => (text ? [{ type: 'reasoning', text }] : [])

function onDelta(m: CozeMessage, state: StreamState): DeltaEvent[] {
  if (!isAnswer(m) || !isTextual(m)) return []
  const id = m.id ?? ''
  const reasoning = channelOf(state.reasoned, id).append(m.reasoning_content ?? '')
  return [...reasoningText(reasoning), ...answerText(id, channelOf(state.streamed, id).append(m.content ?? ''), state)]
}

/** `message.completed` repeats the full answer; only text never streamed as deltas is new. */
function onMessageCompleted(m: CozeMessage, state: StreamState): DeltaEvent[] {
  if (!isAnswer(m) || !isTextual(m)) return []
  const id = m.id ?? ''
  const reasoning = channelOf(state.reasoned, id).next(m.reasoning_content ?? '')
  return [...reasoningText(reasoning), ...answerText(id, channelOf(state.streamed, id).next(m.content ?? ''), state)]
}

/** A failed chat (stream event or polled status) as an error, or a content_filter finish. */
export function failedChatEvents(chat: CozeChat): DeltaEvent[] {
  const code = chat.last_error?.code ?? 0
  if (isRefusalCode(code)) return [{ type: 'finish', reason: 'content_filter' }]
  throw errorForCode({ code: code || 5000, msg: chat.last_error?.msg || 'chat failed' })
}

export function requiresActionError(): Error {
  return notSupported(`${PROVIDER_ID}: the bot asked for a local plugin result (requires_action), which the relay cannot provide`, {
    provider: PROVIDER_ID,
  })
}

function parseJson<T>(data: string, what: string): T {
  const parsed = tryJson(data)
  if (parsed === undefined) throw protocolError(`${PROVIDER_ID} sent malformed ${what} data`, { provider: PROVIDER_ID })
  return parsed as T
}

/** The `error` event: shape not pinned down ({code,msg}, {code,message} or {}), so accept all. */
function onErrorEvent(data: string): never {
  const parsed = tryJson(data)
  let body: { code?: number; msg?: string; message?: string } = {}
  if (parsed === undefined) body = { msg: data }
  else if (typeof parsed === 'string') body = { msg: parsed }
  else if (parsed && typeof parsed === 'object') body = parsed as typeof body
  throw errorForCode({ code: Number(body.code) || 5000, msg: body.msg ?? body.message ?? 'error event in stream' })
}

/** One SSE event of a `stream:true` chat. Mutates `state`; throws typed errors. */
export function parseStreamEvent(event: string | undefined, data: string, state: StreamState): DeltaEvent[] {
  switch (event) {
    case 'conversation.chat.created':
    case 'conversation.chat.in_progress': {
      const chat = parseJson<CozeChat>(data, event)
      if (state.conversationSent || !chat.conversation_id) return []
      state.conversationSent = true
      state.chatId = chat.id
      return [{ type: 'conversation', id: chat.conversation_id }]
    }
    case 'conversation.message.delta':
      return onDelta(parseJson<CozeMessage>(data, event), state)
    case 'conversation.message.completed':
      return onMessageCompleted(parseJson<CozeMessage>(data, event), state)
    case 'conversation.chat.completed': {
      state.finished = true
      return [...usageEvents(parseJson<CozeChat>(data, event).usage), { type: 'finish', reason: 'stop' }]
    }
    case 'conversation.chat.failed': {
      state.finished = true
      return failedChatEvents(parseJson<CozeChat>(data, event))
    }
    case 'conversation.chat.requires_action':
      throw requiresActionError()
    case 'error':
      return onErrorEvent(data)
    case 'done':
      state.done = true
      return []
    default:
      // audio deltas, future event types: nothing for a text relay
      return []
  }
}

/** The answer of a finished non-stream chat, from `/v3/chat/message/list`. */
export function parseMessageList(messages: readonly CozeMessage[], chat: CozeChat): DeltaEvent[] {
  const state = newStreamState()
  const events: DeltaEvent[] = []
  for (const m of messages) events.push(...onMessageCompleted(m, state))
  events.push(...usageEvents(chat.usage))
  events.push({ type: 'finish', reason: 'stop' })
  return events
}
