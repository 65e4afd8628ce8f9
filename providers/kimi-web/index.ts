// Kimi web chat: the current www.kimi.com Connect protocol for the Aug 2026 token pair (refresh
// token renewed at auth_url) and old `kimi-auth` JWTs, the legacy REST + SSE protocol for opaque
// kimi.moonshot.cn refresh tokens (spec §2, updates-2026 §1).
import { z } from 'zod'
import { notSupported, protocolError } from '../../src/kit/errors.js'
import { flattenMessages, imageUrlsOf, lastUserMessage, textOf } from '../../src/kit/messages.js'
import { runProbe } from '../../src/kit/probe.js'
import { defineProvider } from '../../src/kit/types.js'
import { urlSetting, withoutTrailingSlash } from '../../src/kit/url.js'
import type { CallContext, ChatRequest, ConversationRef, CredentialHealth, DeltaEvent } from '../../src/kit/types.js'
import { buildChatPayload, connectDeleteChat, connectUnary, openChat } from './client.js'
import {
  CONNECT_PATHS,
  DEFAULT_AUTH_URL,
  DEFAULT_BASE_URL,
  DEFAULT_SCENARIO,
  DEFAULT_THINKING_EFFORT,
  LATEST_MESSAGE_HINT,
  LEGACY_K1_KIMIPLUS_ID,
  MAX_REMEMBERED_CHATS,
  MODELS,
  MODEL_TRAITS,
  PROVIDER_ID,
  REASONING_EFFORTS,
  SUFFIXES,
} from './constants.js'
import { claimsOf, credentialFlow, normalizeSecret } from './credential.js'
import { legacySession, legacyUser } from './legacy-auth.js'
import { buildLegacyCompletion, legacyCompletion, legacyCreateChat, legacyDeleteChat } from './legacy.js'
import { KimiConnectParser } from './parse.js'
import { KimiLegacyParser } from './parse-legacy.js'
import { KimiSessions } from './session.js'

export const settingsSchema = z.object({
  /** Connect `scenario` sent with every chat (K2.5/K2.6 default). */
  scenario: z.string().default(DEFAULT_SCENARIO),
  /** Origin of the Connect AuthService that renews the rotating refresh token. */
  auth_url: urlSetting(DEFAULT_AUTH_URL),
  /** Origin of the legacy REST API (opaque refresh tokens, and the REST refresh fallback); empty = base_url. */
  legacy_base_url: z.union([z.literal(''), z.string().url()]).default('').transform(withoutTrailingSlash),
})
export type KimiSettings = z.infer<typeof settingsSchema>
type Ctx = CallContext<KimiSettings>

interface Turn {
  prompt: string
  thinking: boolean
  reasoningEffort: string | undefined
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
  const effort = req.reasoning?.effort
  // An explicit effort decides; otherwise the model or the -thinking flag turns thinking on.
  const thinking = effort === 'none' ? false : traits.thinking || req.flags.has('thinking') || req.reasoning !== undefined
  return {
    prompt: continueFrom ? textOf(newest?.content ?? '') : flattenMessages(req.messages, { latestHint: LATEST_MESSAGE_HINT }),
    thinking,
    reasoningEffort: thinking ? (effort && effort !== 'none' ? REASONING_EFFORTS[effort] : DEFAULT_THINKING_EFFORT) : undefined,
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
  if (credentialFlow(ctx.credential.secret) === 'legacy') return { conversationId: req.conversationId }
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

async function* chatConnect(turn: Turn, ctx: Ctx, sessions: KimiSessions): AsyncGenerator<DeltaEvent> {
  const parser = new KimiConnectParser(turn.keepMarkers)
  const payload = buildChatPayload({
    prompt: turn.prompt,
    scenario: ctx.settings.scenario,
    thinking: turn.thinking,
    reasoningEffort: turn.reasoningEffort,
    search: turn.search,
    chatId: turn.continueFrom?.conversationId,
    parentId: turn.continueFrom?.parentId,
  })
  const messages = await sessions.withAccess(ctx, (access) => openChat(ctx, access, payload))
  for await (const msg of messages) {
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

function createKimi(name: string) {
  const sessions = new KimiSessions()

  async function* chat(req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
    const turn = planTurn(req, ctx)
    if (credentialFlow(ctx.credential.secret) === 'connect') yield* chatConnect(turn, ctx, sessions)
    else yield* chatLegacy(turn, ctx)
  }

  async function deleteConversation(ref: ConversationRef, ctx: Ctx): Promise<void> {
    if (credentialFlow(ctx.credential.secret) === 'connect')
      await sessions.withAccess(ctx, (access) => connectDeleteChat(ctx, access, ref.conversationId))
    else await legacyDeleteChat(ctx, ref.conversationId)
  }

  /** Connect: a cheap authenticated call with the current access token (renewed only when due). */
  function probe(ctx: Ctx): Promise<CredentialHealth> {
    return runProbe(PROVIDER_ID, async () => {
      if (credentialFlow(ctx.credential.secret) === 'connect') {
        let account: string | undefined
        await sessions.withAccess(ctx, (access) => {
          account = access.identity?.sub ?? claimsOf(access.token)?.sub
          return connectUnary(ctx, access, CONNECT_PATHS.availableModels, {})
        })
        return account ? { ok: true, account } : { ok: true }
      }
      const session = await legacySession(ctx, 'always')
      const user = await legacyUser(ctx, session.accessToken)
      return { ok: true, account: user.name ?? user.id }
    })
  }

  return {
    id: name,
    credentialKind: 'cookie' as const,
    models: MODELS,
    suffixes: SUFFIXES,
    chat,
    probe,
    deleteConversation,
    normalizeSecret,
  }
}

export default defineProvider<KimiSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  // One account streams one answer at a time (legacy chat.user_stream_pushing).
  defaultConcurrency: 1,
  settings: settingsSchema,
  create: (name) => createKimi(name),
})
