// Google's Gemini API (generateContent / streamGenerateContent) as a chat provider, or any
// Gemini-compatible endpoint as a named instance: providers.<name>: {type: gemini-api, base_url, models}.
import { protocolError } from '../../src/kit/errors.js'
import { tryJson } from '../../src/kit/json.js'
import { defineProvider } from '../../src/kit/types.js'
import type { ChatRequest, DeltaEvent } from '../../src/kit/types.js'
import { type Ctx, generate, probe } from './client.js'
import { DEFAULT_BASE_URL, PROVIDER_ID, SUFFIXES } from './constants.js'
import { parseResponse, readStream } from './parse.js'
import { buildBody } from './request.js'
import { type GeminiSettings, settingsSchema, toModelSpecs } from './settings.js'

async function* chat(name: string, req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  const res = await generate(req.model, buildBody(req, name), req.stream, ctx, name)
  if (req.stream) {
    yield* readStream(res.body, name)
    return
  }
  const payload = tryJson(await res.text())
  if (payload === undefined) throw protocolError(`${name}: the answer is not JSON`, { provider: name })
  yield* parseResponse(payload, name)
}

/** What users paste: the bare key, or it with an `x-goog-api-key:` prefix. */
export const normalizeSecret = (raw: string) => raw.trim().replace(/^x-goog-api-key:\s*/i, '').trim()

export default defineProvider<GeminiSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  defaultConcurrency: 32,
  settings: settingsSchema,
  // Listed only when configured (or GEMINI_API_KEY is set): a fresh install has no key.
  enabledByDefault: false,
  create: (name, settings) => ({
    id: name,
    credentialKind: 'api_key',
    models: toModelSpecs(settings.models, name),
    suffixes: SUFFIXES,
    chat: (req, ctx) => chat(name, req, ctx),
    probe: (ctx) => probe(ctx, name),
    normalizeSecret,
  }),
})
