// Coze bots through the official Open API v3 (api.coze.cn / api.coze.com), one model per bot.
import { notSupported } from '../../src/kit/errors.js'
import { runProbe } from '../../src/kit/probe.js'
import { defineProvider } from '../../src/kit/types.js'
import type { CallContext, CredentialHealth } from '../../src/kit/types.js'
import { normalizeSecret } from './auth.js'
import { chat } from './chat.js'
import { deleteConversation, listConversations } from './client.js'
import { DEFAULT_BASE_URL, PROVIDER_ID } from './constants.js'
import { type CozeSettings, botLookup, modelsFrom, settingsSchema } from './settings.js'

type Ctx = CallContext<CozeSettings>

/** Lists one conversation of the first bot: proves the token and that it may use that bot. */
async function probe(ctx: Ctx): Promise<CredentialHealth> {
  const firstBot = Object.values(ctx.settings.bots)[0]
  // A configuration gap says nothing about the token: the probe cannot run, so it decides nothing.
  if (!firstBot) throw notSupported(`${PROVIDER_ID}: no bots configured (providers.coze-api.bots), nothing to probe`, { provider: PROVIDER_ID })
  return runProbe(PROVIDER_ID, async () => {
    await listConversations(ctx, firstBot)
    return { ok: true }
  })
}

export default defineProvider<CozeSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  // A PAT may run many chats at once; only one per conversation (code 4016), which the core's
  // conversation map already serialises.
  defaultConcurrency: 8,
  settings: settingsSchema,
  create: (name, settings) => ({
    id: name,
    credentialKind: 'api_key',
    models: modelsFrom(settings.bots),
    chat: (req, ctx) => chat(req, { ...ctx, settings: { ...ctx.settings, bots: botLookup(ctx.settings.bots) } }),
    probe,
    deleteConversation: (ref, ctx) => deleteConversation(ctx, ref.conversationId),
    normalizeSecret,
  }),
})
