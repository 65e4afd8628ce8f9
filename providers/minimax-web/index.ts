// MiniMax web chat: MiniMax Agent (send + poll) by default, legacy Hailuo (multipart + SSE) by
// setting `flow: hailuo`, the unverified MiniMax-M3 "archon" API (session + SSE) by `flow: archon`.
// The agent and archon flows renew the JWT before it expires.
import { UpstreamError, notSupported } from '../../src/kit/errors.js'
import { flattenMessages, imageUrlsOf, lastUserMessage, textOf } from '../../src/kit/messages.js'
import { runProbe } from '../../src/kit/probe.js'
import type { ChatMessage, ChatRequest, ConversationRef, CredentialHealth, DeltaEvent } from '../../src/kit/types.js'
import { defineProvider } from '../../src/kit/types.js'
import { archonMessage, archonModel, archonUserInfo, createArchonSession } from './archon.js'
import { DeviceCache, type MinimaxContext, type MinimaxCredential, normalizeSecret, parseCredential } from './auth.js'
import { agentDevice, deleteChat, pollAnswer, sendMessage, userInfo } from './client.js'
import { DEFAULT_BASE_URL, MODELS, type MinimaxSettings, PROVIDER_ID, settingsSchema } from './constants.js'
import { hailuoDelete, hailuoDevice, hailuoUserInfo, openHailuoChat } from './hailuo.js'
import { parseHailuoStream } from './parse.js'
import { TokenRenewer } from './renewal.js'

/** The legacy site wants `role:content` lines ending with an open `assistant:` turn. */
export function foldForHailuo(messages: readonly ChatMessage[]): string {
  const relevant = messages.filter((m) => textOf(m.content).trim())
  if (relevant.length === 1 && relevant[0]!.role === 'user') return textOf(relevant[0]!.content)
  return `${relevant.map((m) => `${m.role}:${textOf(m.content)}`).join('\n')}\nassistant:`
}

const CHAT_ID_PATTERN = /^[\w-]{1,64}$/

/** The server no longer knows our device id (expired or reset). */
const isDeviceRejection = (err: unknown) =>
  err instanceof UpstreamError && err.kind === 'unavailable' && /device/i.test(err.message)

function createMinimax() {
  const devices = new DeviceCache()
  const renewer = new TokenRenewer()

  /** The credential with its newest token (hailuoai.com tokens are not renewed: a different site). */
  const credentialOf = (ctx: MinimaxContext): Promise<MinimaxCredential> =>
    ctx.settings.flow === 'hailuo' ? Promise.resolve(parseCredential(ctx.credential.secret)) : renewer.credential(ctx)

  async function* chatArchon(req: ChatRequest, ctx: MinimaxContext, continued: string | undefined): AsyncGenerator<DeltaEvent> {
    const cred = await credentialOf(ctx)
    const model = archonModel(req.model)
    const last = lastUserMessage(req.messages)
    const sessionId = continued ?? (await createArchonSession(ctx, cred, model))
    const prompt = continued ? textOf(last?.content ?? '') : flattenMessages(req.messages)
    let announced = false
    for await (const ev of archonMessage(ctx, cred, sessionId, prompt, model)) {
      if (!announced) {
        announced = true
        yield { type: 'conversation', id: sessionId }
      }
      yield ev
    }
  }

  async function* chat(req: ChatRequest, ctx: MinimaxContext): AsyncGenerator<DeltaEvent> {
    const last = lastUserMessage(req.messages)
    if (last && imageUrlsOf(last.content).length)
      throw notSupported(`${PROVIDER_ID}: image input is not supported (the upload flow of this upstream is not implemented)`)
    const explicit = req.conversationId && CHAT_ID_PATTERN.test(req.conversationId) ? req.conversationId : undefined
    const continued = req.continueFrom?.conversationId ?? explicit
    if (ctx.settings.flow === 'archon') {
      yield* chatArchon(req, ctx, continued)
      return
    }
    const cred = await credentialOf(ctx)
    const hailuo = ctx.settings.flow === 'hailuo'
    const prompt = continued
      ? textOf(last?.content ?? '')
      : hailuo
        ? foldForHailuo(req.messages)
        : flattenMessages(req.messages)
    const deviceFor = (rejected?: string) => (hailuo ? hailuoDevice(ctx, cred, devices, rejected) : agentDevice(ctx, cred, devices, rejected))
    let device = await deviceFor()
    /** The server may have forgotten our cached device: take another caller's newer one or register again, once. */
    const retryOnDevice = async <T>(call: () => Promise<T>): Promise<T> =>
      call().catch(async (err: unknown) => {
        if (!isDeviceRejection(err)) throw err
        device = await deviceFor(device.deviceId)
        return call()
      })
    if (hailuo) {
      const res = await retryOnDevice(() => openHailuoChat(ctx, cred, device, prompt, continued))
      yield* parseHailuoStream(res.body)
    } else {
      const sent = await retryOnDevice(() => sendMessage(ctx, cred, device, prompt, continued))
      yield sent.msgId ? { type: 'conversation', id: sent.chatId, parentId: sent.msgId } : { type: 'conversation', id: sent.chatId }
      yield* pollAnswer(ctx, cred, device, sent.chatId, sent.msgId)
    }
  }

  function probe(ctx: MinimaxContext): Promise<CredentialHealth> {
    return runProbe(PROVIDER_ID, async () => {
      const cred = await credentialOf(ctx)
      if (ctx.settings.flow === 'archon') {
        const account = (await archonUserInfo(ctx, cred)) ?? cred.realUserId
        return account === undefined ? { ok: true } : { ok: true, account }
      }
      const hailuo = ctx.settings.flow === 'hailuo'
      const device = hailuo ? await hailuoDevice(ctx, cred, devices) : await agentDevice(ctx, cred, devices)
      const env = hailuo ? await hailuoUserInfo(ctx, cred, device) : await userInfo(ctx, cred, device)
      const info = (env.data?.userInfo ?? {}) as Record<string, unknown>
      const account = info.userID ?? info.realUserID ?? info.nickName ?? device.realUserId
      return account === undefined ? { ok: true } : { ok: true, account: String(account) }
    })
  }

  async function deleteConversation(ref: ConversationRef, ctx: MinimaxContext): Promise<void> {
    // The archon notes describe no way to delete a session: one-shot sessions stay upstream.
    if (ctx.settings.flow === 'archon') return
    const cred = await credentialOf(ctx)
    if (ctx.settings.flow === 'hailuo') await hailuoDelete(ctx, cred, await hailuoDevice(ctx, cred, devices), ref.conversationId)
    else await deleteChat(ctx, cred, await agentDevice(ctx, cred, devices), ref.conversationId)
  }

  return {
    id: PROVIDER_ID,
    credentialKind: 'token' as const,
    models: MODELS,
    chat,
    probe,
    deleteConversation,
    normalizeSecret,
  }
}

export default defineProvider<MinimaxSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  defaultConcurrency: 1,
  settings: settingsSchema,
  create: () => createMinimax(),
})
