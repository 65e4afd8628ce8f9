// Kimi web chat: the current www.kimi.com Connect protocol for `kimi-auth` access tokens, the
// legacy REST + SSE protocol for refresh tokens (spec §2).
import { z } from 'zod'
import { notSupported, protocolError } from '../../src/kit/errors.js'
import { flattenMessages, imageUrlsOf, lastUserMessage, textOf } from '../../src/kit/messages.js'
import { runProbe } from '../../src/kit/probe.js'
import { defineProvider } from '../../src/kit/types.js'
import { withoutTrailingSlash } from '../../src/kit/url.js'
import type { CallContext, ChatRequest, ConversationRef, CredentialHealth, DeltaEvent } from '../../src/kit/types.js'
import { assertNotExpired, claimsOf, legacySession, legacyUser, normalizeSecret, tokenKind } from './auth.js'
import { buildChatPayload, connectChat, connectDeleteChat, connectUnary } from './client.js'
import {
  CONNECT_PATHS,
  DEFAULT_BASE_URL,
  DEFAULT_SCENARIO,
  LATEST_MESSAGE_HINT,
  LEGACY_K1_KIMIPLUS_ID,
  MAX_REMEMBERED_CHATS,
  MODELS,
  MODEL_TRAITS,
  PROVIDER_ID,
  SUFFIXES,
} from './constants.js'
import { buildLegacyCompletion, legacyCompletion, legacyCreateChat, legacyDeleteChat } from './legacy.js'
import { KimiConnectParser } from './parse.js'
import { KimiLegacyParser } from './parse-legacy.js'

export const settingsSchema = z.object({
  /** Connect `scenario` sent with every chat (K2.5/K2.6 default). */
  scenario: z.string().default(DEFAULT_SCENARIO),
  /** Origin of the legacy REST API for refresh tokens; empty = base_url. */
  legacy_base_url: z.union([z.literal(''), z.string().url()]).default('').transform(withoutTrailingSlash),
})
export type KimiSettings = z.infer<typeof settingsSchema>
type Ctx = CallContext<KimiSettings>

interface Turn {
  prompt: string
  thinking: boolean
  search: boolean
  keepMarkers: boolean
  continueFrom: ConversationRef | undefined
}

function planTurn(req: ChatRequest, ctx: Ctx): Turn {
  const traits = MODEL_TRAITS[req.model] ?? MODEL_TRAITS.kimi!
  const continueFrom = req.continueFrom ?? explicitConversation(req, ctx)
  const newest = lastUserMessage(req.messages)
  const sent = continueFrom ? (newest ? [newest] : []) : req.messages
  if (sent.some((m) => imageUrlsOf(m.content).length > 0))
    throw notSupported(
      `${PROVIDER_ID}: images cannot be sent — neither the www.kimi.com Connect chat nor this adapter's legacy flow documents an image upload; send text only`,
      { provider: PROVIDER_ID },
    )
  return {
    prompt: continueFrom ? textOf(newest?.content ?? '') : flattenMessages(req.messages, { latestHint: LATEST_MESSAGE_HINT }),
    thinking: traits.thinking || req.flags.has('thinking'),
    search: traits.search || req.flags.has('search'),
    keepMarkers: req.flags.has('cite'),
    continueFrom,
  }
}

/**
 * A client-named chat. The Connect chat needs the last assistant message as parent, which only
 * this credential's memory has; without it the turn starts a new chat rather than being refused.
 */
function explicitConversation(req: ChatRequest, ctx: Ctx): ConversationRef | undefined {
  if (!req.conversationId) return undefined
  if (tokenKind(ctx.credential.secret) !== 'access') return { conversationId: req.conversationId }
  const parentId = (ctx.credential.state.chat_parents as Record<string, string> | undefined)?.[req.conversationId]
  if (parentId) return { conversationId: req.conversationId, parentId }
  ctx.log.debug('no parent known for the named Kimi chat; starting a new one', { chat: req.conversationId })
  return undefined
}

/** Keep chat → last assistant message so a client-sent conversation_id can be continued. */
function rememberParent(ctx: Ctx, chatId: string, parentId: string): void {
  const prev = (ctx.credential.state.chat_parents as Record<string, string> | undefined) ?? {}
  const entries = Object.entries(prev).filter(([k]) => k !== chatId)
  entries.push([chatId, parentId])
  ctx.saveState({ chat_parents: Object.fromEntries(entries.slice(-MAX_REMEMBERED_CHATS)) })
}

async function* chatConnect(turn: Turn, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  const parser = new KimiConnectParser(turn.keepMarkers)
  const payload = buildChatPayload({
    prompt: turn.prompt,
    scenario: ctx.settings.scenario,
    thinking: turn.thinking,
    search: turn.search,
    chatId: turn.continueFrom?.conversationId,
    parentId: turn.continueFrom?.parentId,
  })
  for await (const msg of connectChat(ctx, payload)) {
    yield* parser.push(msg)
    if (parser.ended) break
  }
  if (!parser.completed) throw protocolError(`${PROVIDER_ID}: the stream ended before the answer completed`, { provider: PROVIDER_ID })
  const tail = parser.finish()
  if (parser.chatId && parser.assistantId) rememberParent(ctx, parser.chatId, parser.assistantId)
  yield* tail
}

async function* chatLegacy(turn: Turn, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  const kimiplusId = turn.thinking ? LEGACY_K1_KIMIPLUS_ID : 'kimi'
  const chatId = turn.continueFrom?.conversationId ?? (await legacyCreateChat(ctx, kimiplusId))
  const conversation: DeltaEvent = { type: 'conversation', id: chatId }
  // Announced once the stream has started, so a refused completion (busy account) still comes
  // before any event and the core can fail over.
  let announced = false
  const parser = new KimiLegacyParser(turn.keepMarkers)
  const body = buildLegacyCompletion({ prompt: turn.prompt, kimiplusId, search: turn.search })
  for await (const ev of legacyCompletion(ctx, chatId, body)) {
    if (!announced) {
      announced = true
      yield conversation
    }
    yield* parser.push(ev.data)
    if (parser.ended) break
  }
  if (!parser.ended) throw protocolError(`${PROVIDER_ID}: the stream ended without all_done`, { provider: PROVIDER_ID })
  if (!announced) yield conversation
  yield* parser.finish()
}

async function* chat(req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  const turn = planTurn(req, ctx)
  if (tokenKind(ctx.credential.secret) === 'access') yield* chatConnect(turn, ctx)
  else yield* chatLegacy(turn, ctx)
}

async function deleteConversation(ref: ConversationRef, ctx: Ctx): Promise<void> {
  if (tokenKind(ctx.credential.secret) === 'access') await connectDeleteChat(ctx, ref.conversationId)
  else await legacyDeleteChat(ctx, ref.conversationId)
}

function probe(ctx: Ctx): Promise<CredentialHealth> {
  return runProbe(PROVIDER_ID, async () => {
    const token = ctx.credential.secret
    if (tokenKind(token) === 'access') {
      const claims = claimsOf(token)
      assertNotExpired(claims)
      await connectUnary(ctx, CONNECT_PATHS.availableModels, {})
      return { ok: true, ...(claims?.sub ? { account: claims.sub } : {}) }
    }
    const session = await legacySession(ctx, true)
    const user = await legacyUser(ctx, session.accessToken)
    return { ok: true, account: user.name ?? user.id }
  })
}

export default defineProvider<KimiSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  // One account streams one answer at a time (legacy chat.user_stream_pushing).
  defaultConcurrency: 1,
  settings: settingsSchema,
  create: (name) => ({
    id: name,
    credentialKind: 'cookie',
    models: MODELS,
    suffixes: SUFFIXES,
    chat,
    probe,
    deleteConversation,
    normalizeSecret,
  }),
})
