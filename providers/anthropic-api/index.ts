// Anthropic's official Messages API (api.anthropic.com), or any Anthropic-compatible endpoint as a
// named instance: providers.<name>: {type: anthropic-api, base_url, models, ...}.
import { tryJson } from '../../src/kit/json.js'
import { defineProvider } from '../../src/kit/types.js'
import type { ChatRequest, DeltaEvent, ModelSpec } from '../../src/kit/types.js'
import { type Ctx, postMessages, probe } from './client.js'
import { DEFAULT_BASE_URL, PROVIDER_ID, SUFFIXES } from './constants.js'
import { parseMessage, readMessageStream } from './parse.js'
import { buildBody } from './request.js'
import { type AnthropicSettings, settingsSchema, thinkingStyleOf, toModelSpecs } from './settings.js'

async function* chat(name: string, byUpstream: Map<string, ModelSpec>, req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  const body = buildBody(req, {
    maxTokensDefault: ctx.settings.max_tokens_default,
    thinkingBudgetDefault: ctx.settings.thinking_budget_default,
    thinkingStyle: thinkingStyleOf(byUpstream.get(req.model), req.model),
    provider: name,
  })
  const res = await postMessages(body, ctx, name)
  if (!req.stream) {
    // Not JSON at all (a proxy's page) reaches parseMessage as undefined: a protocol error.
    yield* parseMessage(tryJson(await res.text()), name)
    return
  }
  yield* readMessageStream(res.body, name)
}

/** What users paste: the bare key, or it with an `x-api-key:` or `Bearer` prefix. */
export function normalizeSecret(raw: string): string {
  return raw.trim().replace(/^x-api-key:\s*/i, '').replace(/^(authorization:\s*)?bearer\s+/i, '').trim()
}

export default defineProvider<AnthropicSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  defaultConcurrency: 32,
  settings: settingsSchema,
  // Listed only when configured: a fresh install has no Anthropic key.
  enabledByDefault: false,
  create: (name, settings) => {
    const models = toModelSpecs(settings.models, name)
    const byUpstream = new Map(models.map((m) => [m.upstream ?? m.id, m]))
    return {
      id: name,
      credentialKind: 'api_key',
      models,
      suffixes: SUFFIXES,
      chat: (req, ctx) => chat(name, byUpstream, req, ctx),
      probe: (ctx) => probe(ctx, name),
      normalizeSecret,
    }
  },
})
