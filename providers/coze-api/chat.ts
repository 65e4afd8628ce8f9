// One chat turn: stream (SSE) or non-stream (create → poll retrieve → list messages).
import { setTimeout as sleep } from 'node:timers/promises'
import { UpstreamError, isAbortError, protocolError, upstreamTimeout, upstreamUnavailable } from '../../src/kit/errors.js'
import { mask } from '../../src/kit/log.js'
import { readSse } from '../../src/kit/sse.js'
import type { CallContext, ChatRequest, DeltaEvent } from '../../src/kit/types.js'
import { type CreateChatBody, cancelChat, createChat, listChatMessages, openChatStream, retrieveChat } from './client.js'
import { COZE_CODES, PENDING_STATUSES, PROVIDER_ID } from './constants.js'
import { BotRefused, cozeCodeOf } from './errors.js'
import { historyMessages, newestQuestion } from './messages.js'
import { failedChatEvents, newStreamState, parseMessageList, parseStreamEvent, requiresActionError } from './parse.js'
import type { CozeSettings } from './settings.js'

type Ctx = CallContext<CozeSettings>

/** Fields a client may pass through to the bot (OpenAI `extra` body keys). */
const PASSTHROUGH = ['custom_variables', 'meta_data', 'parameters'] as const

export function botIdFor(model: string, bots: Record<string, string>): string {
  return bots[model] ?? model
}

function baseBody(req: ChatRequest, ctx: Ctx): Omit<CreateChatBody, 'additional_messages'> {
  const body: Omit<CreateChatBody, 'additional_messages'> = {
    bot_id: botIdFor(req.model, ctx.settings.bots),
    user_id: req.user || ctx.settings.user_id,
    stream: req.stream,
    // Non-stream chats are only readable when saved (code 4007), and saving is what lets a
    // later turn continue the conversation.
    auto_save_history: true,
  }
  for (const key of PASSTHROUGH) {
    const v = req.extra[key]
    if (v && typeof v === 'object') Object.assign(body, { [key]: v })
  }
  return body
}

async function* streamChat(ctx: Ctx, body: CreateChatBody, conversationId?: string): AsyncGenerator<DeltaEvent> {
  const res = await openChatStream(ctx, body, conversationId)
  const state = newStreamState()
  try {
    for await (const ev of readSse(res.body)) {
      yield* parseStreamEvent(ev.event, ev.data, state)
      if (state.done || state.finished) break
    }
  } catch (err) {
    if (err instanceof UpstreamError || isAbortError(err)) throw err
    throw upstreamUnavailable(`${PROVIDER_ID}: stream broke: ${(err as Error).message}`, { provider: PROVIDER_ID, cause: err })
  }
  if (!state.finished) throw upstreamUnavailable(`${PROVIDER_ID}: stream ended before the chat completed`, { provider: PROVIDER_ID })
}

function cancelQuietly(ctx: Ctx, conversationId: string, chatId: string): void {
  cancelChat(ctx, conversationId, chatId).catch((err: unknown) =>
    ctx.log.debug('coze chat cancel failed', { chat: chatId, error: (err as Error).message }),
  )
}

async function* pollChat(ctx: Ctx, body: CreateChatBody, conversationId?: string): AsyncGenerator<DeltaEvent> {
  let chat = await createChat(ctx, body, conversationId)
  if (!chat?.id || !chat.conversation_id) throw protocolError(`${PROVIDER_ID} created a chat without ids`, { provider: PROVIDER_ID })
  yield { type: 'conversation', id: chat.conversation_id }
  const deadline = Date.now() + ctx.settings.poll_timeout_ms
  try {
    while (PENDING_STATUSES.has(chat.status ?? 'in_progress')) {
      if (Date.now() >= deadline) throw upstreamTimeout(`${PROVIDER_ID}: chat still running after ${ctx.settings.poll_timeout_ms} ms`, { provider: PROVIDER_ID })
      await sleep(ctx.settings.poll_interval_ms, undefined, { signal: ctx.signal })
      chat = await retrieveChat(ctx, chat.conversation_id, chat.id)
    }
  } catch (err) {
    // Leave no chat running upstream: it would block the conversation (code 4016).
    cancelQuietly(ctx, chat.conversation_id, chat.id)
    throw err
  }
  if (chat.status === 'completed') {
    yield* parseMessageList(await listChatMessages(ctx, chat.conversation_id, chat.id), chat)
    return
  }
  if (chat.status === 'failed') return yield* failedChatEvents(chat)
  if (chat.status === 'requires_action') throw requiresActionError()
  throw upstreamUnavailable(`${PROVIDER_ID}: chat ended with status ${chat.status}`, { provider: PROVIDER_ID })
}

function turn(ctx: Ctx, body: CreateChatBody, conversationId?: string): AsyncGenerator<DeltaEvent> {
  return body.stream ? streamChat(ctx, body, conversationId) : pollChat(ctx, body, conversationId)
}

export async function* chat(req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  const base = baseBody(req, ctx)
  const explicit = req.conversationId
  const continued = explicit ?? req.continueFrom?.conversationId
  let yielded = false
  try {
    const messages = continued ? newestQuestion(req.messages) : historyMessages(req.messages)
    try {
      for await (const ev of turn(ctx, { ...base, additional_messages: messages }, continued)) {
        yielded = true
        yield ev
      }
    } catch (err) {
      // A remembered conversation may be gone upstream (deleted, pruned): start over with the
      // whole history rather than failing the turn. An explicit id is the client's to fix.
      if (yielded || explicit || !continued || cozeCodeOf(err) !== COZE_CODES.invalidConversation) throw err
      ctx.log.info('coze conversation gone, starting a new one', { conversation: mask(continued) })
      yield* turn(ctx, { ...base, additional_messages: historyMessages(req.messages) })
    }
  } catch (err) {
    if (!(err instanceof BotRefused)) throw err
    yield { type: 'finish', reason: 'content_filter' }
  }
}
