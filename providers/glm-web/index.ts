// Zhipu's web chats: chatglm.cn (refresh-token credentials, X-Sign signing, cumulative SSE) and,
// with `site: intl`, chat.z.ai (JWT + captcha token, X-Signature, delta/edit stream; zai.ts).
import { runProbe } from '../../src/kit/probe.js'
import type { ChatRequest, ConversationRef, CredentialHealth, DeltaEvent, ModelSpec } from '../../src/kit/types.js'
import { defineProvider } from '../../src/kit/types.js'
import { type GlmContext, GlmTokens, accountOf, normalizeSecret } from './auth.js'
import { chatModeFor, deleteUpstream, openStream, planRequest, streamBody } from './client.js'
import {
  ASSISTANT_ID_PATTERN,
  DEFAULT_BASE_URL,
  type GlmSettings,
  MODELS,
  PROVIDER_ID,
  SUFFIXES,
  ZAI_MODELS,
  ZAI_SUFFIXES,
  settingsSchema,
} from './constants.js'
import { parseGlmStream } from './parse.js'
import { uploadImage } from './upload.js'
import { createZai } from './zai.js'
import { normalizeZaiSecret } from './zai-auth.js'

/** An assistant (agent) id used as a model name: not declared, so the router asks for it. */
export function resolveModel(name: string): ModelSpec | undefined {
  const declared = MODELS.find((m) => m.id === name)
  if (declared || !ASSISTANT_ID_PATTERN.test(name)) return declared
  return { id: name, suffixes: Object.keys(SUFFIXES), ownedBy: 'zhipu', meta: { assistant: true } }
}

function createGlm() {
  const tokens = new GlmTokens()

  async function* chat(req: ChatRequest, ctx: GlmContext): AsyncGenerator<DeltaEvent> {
    const plan = planRequest(req, ctx.settings.assistant_id)
    const images = await Promise.all(plan.imageUrls.map((url) => uploadImage(ctx, tokens, url)))
    const body = streamBody(plan, chatModeFor(req.flags), ctx.settings.networking, images)
    ctx.log.debug('glm chat', { assistant: plan.assistantId, continued: Boolean(plan.conversationId) })
    const res = await openStream(ctx, tokens, body)
    yield* parseGlmStream(res.body, { assistantId: plan.assistantId })
  }

  function probe(ctx: GlmContext): Promise<CredentialHealth> {
    return runProbe(PROVIDER_ID, async () => {
      tokens.evict(ctx) // a probe must prove the refresh token itself still works
      const account = accountOf(await tokens.accessToken(ctx))
      return account ? { ok: true, account } : { ok: true }
    })
  }

  async function deleteConversation(ref: ConversationRef, ctx: GlmContext): Promise<void> {
    const assistantId = ref.parentId && ASSISTANT_ID_PATTERN.test(ref.parentId) ? ref.parentId : ctx.settings.assistant_id
    await deleteUpstream(ctx, tokens, assistantId, ref.conversationId)
  }

  return {
    id: PROVIDER_ID,
    credentialKind: 'token' as const,
    models: MODELS,
    suffixes: SUFFIXES,
    chat,
    probe,
    deleteConversation,
    normalizeSecret,
    resolveModel,
  }
}

function createIntl() {
  return {
    id: PROVIDER_ID,
    credentialKind: 'token' as const,
    models: ZAI_MODELS,
    suffixes: ZAI_SUFFIXES,
    ...createZai(),
    normalizeSecret: normalizeZaiSecret,
  }
}

export default defineProvider<GlmSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  defaultConcurrency: 1,
  settings: settingsSchema,
  create: (_name, settings) => (settings.site === 'intl' ? createIntl() : createGlm()),
})
