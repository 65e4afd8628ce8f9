// DeepSeek's consumer web chat (chat.deepseek.com), spoken the way its browser client speaks it.
import { runProbe } from '../../src/kit/probe.js'
import { defineProvider } from '../../src/kit/types.js'
import type { CallContext, ConversationRef, CredentialHealth } from '../../src/kit/types.js'
import { fetchCurrentUser, withSessionToken } from './auth.js'
import { chat, parseConversationId } from './chat.js'
import { type DeepseekSettings, deleteSession, settingsSchema } from './client.js'
import { normalizeSecret } from './identity.js'
import { DEFAULT_BASE_URL, MODELS, PROVIDER_ID, SESSION_TOKEN_TTL_MS, SUFFIXES } from './constants.js'
import { sharedPowPool } from './pow-pool.js'

type Ctx = CallContext<DeepseekSettings>

function probe(ctx: Ctx): Promise<CredentialHealth> {
  return runProbe(PROVIDER_ID, async () => {
    const user = await fetchCurrentUser(ctx)
    ctx.saveState({ token: user.token, tokenExpiresAt: Date.now() + SESSION_TOKEN_TTL_MS, account: user.account })
    return user.account ? { ok: true, account: user.account } : { ok: true }
  })
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
