// DeepSeek's consumer web chat (chat.deepseek.com), spoken the way its browser client speaks it.
import { UpstreamError } from '../../src/kit/errors.js'
import { defineProvider } from '../../src/kit/types.js'
import type { CallContext, ConversationRef, CredentialHealth } from '../../src/kit/types.js'
import { fetchCurrentUser, normalizeSecret, withSessionToken } from './auth.js'
import { chat, parseConversationId } from './chat.js'
import { type DeepseekSettings, deleteSession, settingsSchema } from './client.js'
import { DEFAULT_BASE_URL, MODELS, PROVIDER_ID, SESSION_TOKEN_TTL_MS, SUFFIXES } from './constants.js'
import { sharedPowPool } from './pow-pool.js'

type Ctx = CallContext<DeepseekSettings>

async function probe(ctx: Ctx): Promise<CredentialHealth> {
  try {
    const user = await fetchCurrentUser(ctx)
    ctx.saveState({ token: user.token, tokenExpiresAt: Date.now() + SESSION_TOKEN_TTL_MS, account: user.account })
    return user.account ? { ok: true, account: user.account } : { ok: true }
  } catch (err) {
    // Only a rejected token says the credential is bad; network or challenge-page trouble says nothing.
    if (err instanceof UpstreamError && err.kind === 'credential_invalid') return { ok: false, reason: err.message }
    throw err
  }
}

async function deleteConversation(ref: ConversationRef, ctx: Ctx): Promise<void> {
  const { sessionId } = parseConversationId(ref.conversationId)
  await withSessionToken(ctx, (token) => deleteSession(ctx, token, sessionId))
}

export default defineProvider<DeepseekSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  // One account streams one answer at a time on the web client.
  defaultConcurrency: 1,
  settings: settingsSchema,
  create: (name, settings) => {
    const pool = sharedPowPool(settings.pow_workers)
    return {
      id: name,
      credentialKind: 'token',
      models: MODELS,
      suffixes: SUFFIXES,
      chat: (req, ctx) => chat(req, ctx, pool),
      probe,
      deleteConversation,
      normalizeSecret,
    }
  },
})
