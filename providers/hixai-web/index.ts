// hixai-web: HIX Chat (hix.ai) through its browser session cookie, the HixAI2Api feature set:
// the 39-model table with credit cost and tier, search suffixes, credit-aware cookie choice,
// and chat reuse by the hash of the last user/assistant pair.
import { z } from 'zod'
import { UpstreamError, invalidRequest, protocolError } from '../../src/kit/errors.js'
import { mask } from '../../src/kit/log.js'
import { imageUrlsOf, lastUserMessage } from '../../src/kit/messages.js'
import { runProbe } from '../../src/kit/probe.js'
import { defineProvider } from '../../src/kit/types.js'
import type { ChatRequest, ConversationRef, CredentialHealth, CredentialView, DeltaEvent, ModelSpec } from '../../src/kit/types.js'
import { normalizeSecret } from './auth.js'
import { DEFAULT_USER_AGENT, type HixModel, MODEL_SPECS, PROVIDER_ID, SUFFIX_DESCRIPTIONS, hixModel } from './constants.js'
import { type HixContext, type HixSettings, deleteChat, fetchAccount, fetchCredits } from './client.js'
import { ChatGoneError, streamResults } from './parse.js'
import { type PairMap, findPairChat, forgetChat, incomingPairKey, outgoingPairKey, rememberPair } from './pairs.js'
import { imageFileUrl, openConversation } from './session.js'

export const settingsSchema = z.object({
  /** Browser UA sent with every call; Cloudflare compares it with the TLS fingerprint. */
  user_agent: z.string().default(DEFAULT_USER_AGENT),
  /** Fold earlier messages into the first question of a new chat (HixAI2Api sends only the last one). */
  fold_history: z.boolean().default(true),
  /** Continue the chat that produced the last user/assistant pair, as HixAI2Api does. */
  reuse_last_pair: z.boolean().default(true),
  /** Pair → chat entries kept per cookie. */
  pair_cache_size: z.number().int().min(0).default(200),
  /** Largest image accepted for upload. */
  image_max_bytes: z.number().int().positive().default(10 * 1024 * 1024),
}) satisfies z.ZodType<HixSettings>

const pairsOf = (ctx: HixContext) => ctx.credential.state.pairs as PairMap | undefined

/** Which existing chat this request continues, if any: explicit id, the core's mapping, then the pair hash. */
function existingChat(req: ChatRequest, ctx: HixContext, model: HixModel): string | undefined {
  if (req.conversationId) return req.conversationId
  if (req.continueFrom) {
    // parentId carries the model that chat was made for: a hix chat is bound to one bot.
    const madeFor = req.continueFrom.parentId
    if (!madeFor || madeFor === model.id) return req.continueFrom.conversationId
    ctx.log.debug('hixai-web: history continues a chat of another model; starting a new chat', { madeFor, model: model.id })
    return undefined
  }
  if (!ctx.settings.multi_turn || !ctx.settings.reuse_last_pair) return undefined
  return findPairChat(pairsOf(ctx), model.id, incomingPairKey(req.messages))
}

async function* chat(req: ChatRequest, ctx: HixContext): AsyncGenerator<DeltaEvent> {
  const model = hixModel(req.model)
  if (!model) throw invalidRequest(`${PROVIDER_ID}: unknown model ${req.model}`, { provider: PROVIDER_ID })
  const last = lastUserMessage(req.messages)
  if (!last) throw invalidRequest(`${PROVIDER_ID}: the request has no user message`, { provider: PROVIDER_ID })
  // Upload first, so a bad image never leaves an empty chat behind.
  const fileUrl = await imageFileUrl(ctx, imageUrlsOf(last.content))
  const existing = existingChat(req, ctx, model)
  let conversation: Awaited<ReturnType<typeof openConversation>> | undefined
  try {
    conversation = await openConversation(ctx, req, model, existing, fileUrl)
  } catch (err) {
    if (!(err instanceof ChatGoneError)) throw err
    ctx.log.info('hixai-web: the chat to continue is gone upstream; starting a new one', { chat: existing })
    if (existing) ctx.saveState({ pairs: forgetChat(pairsOf(ctx), existing) })
    conversation = await openConversation(ctx, req, model, undefined, fileUrl)
  }
  const { chatId, stream } = conversation
  let announced = false
  let answer = ''
    for await (const { events } of streamResults(stream)) {
      // Announce the chat only once the stream proved good, so a "not login" line still fails over.
      if (!announced) {
        announced = true
        yield { type: 'conversation', id: chatId, parentId: model.id }
      }
      for (const event of events) {
        if (event.type === 'text') answer += event.text
        yield event
      }
    }
    if (!announced) throw protocolError(`${PROVIDER_ID}: the chat stream ended without an answer`, { provider: PROVIDER_ID })
    if (ctx.settings.multi_turn && ctx.settings.reuse_last_pair) {
      const key = outgoingPairKey(req.messages, answer)
      if (key) ctx.saveState({ pairs: rememberPair(pairsOf(ctx), model.id, key, chatId, Date.now(), ctx.settings.pair_cache_size) })
    }
    yield { type: 'finish', reason: 'stop' }
}

function probe(ctx: HixContext): Promise<CredentialHealth> {
  return runProbe(PROVIDER_ID, async () => {
    const credits = await fetchCredits(ctx)
    const account = await fetchAccount(ctx).catch(() => undefined) // the name is a nicety
    ctx.log.debug('hixai-web: probed cookie', { cookie: mask(ctx.credential.secret), ...credits })
    return { ok: true, ...(account ? { account } : {}), ...credits }
  })
}

/** STANDARD models need `credit ≥ cost`; ADVANCED ones an active subscription and `advancedCredit ≥ cost`. Unknown credit (never probed) is given the benefit of the doubt. */
export function canServe(model: ModelSpec, credential: CredentialView): boolean {
  const cost = Number(model.meta?.cost ?? 0)
  if (model.meta?.tier === 'ADVANCED') {
    if (credential.subscribed === false) return false
    return credential.advancedCredit == null || credential.advancedCredit >= cost
  }
  return credential.credit == null || credential.credit >= cost
}

async function deleteConversation(ref: ConversationRef, ctx: HixContext): Promise<void> {
  try {
    await deleteChat(ctx, ref.conversationId)
  } catch (err) {
    // Already gone upstream is what we wanted.
    const gone = err instanceof ChatGoneError || (err instanceof UpstreamError && err.kind === 'invalid_request')
    if (!gone) throw err
  } finally {
    const pairs = pairsOf(ctx)
    if (pairs && Object.values(pairs).some((e) => e.chat === ref.conversationId))
      ctx.saveState({ pairs: forgetChat(pairs, ref.conversationId) })
  }
}

export default defineProvider<HixSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: 'https://hix.ai',
  defaultConcurrency: 1,
  settings: settingsSchema,
  create: (name) => ({
    id: name,
    credentialKind: 'cookie',
    exhaustedMessage: 'No valid cookies available',
    models: MODEL_SPECS,
    suffixes: SUFFIX_DESCRIPTIONS,
    chat,
    probe,
    deleteConversation,
    normalizeSecret,
    canServe,
  }),
})
