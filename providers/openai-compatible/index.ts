// Any OpenAI-compatible endpoint (official DeepSeek, Moonshot, Zhipu, DashScope, Ark, MiniMax,
// OpenAI...), configured as named instances: providers.<name>: {type: openai-compatible, ...}.
import { z } from 'zod'
import { protocolError } from '../../src/kit/errors.js'
import { isObject } from '../../src/kit/json.js'
import { runProbe } from '../../src/kit/probe.js'
import { openAIChat } from '../../src/kit/openai-chat.js'
import { defineProvider } from '../../src/kit/types.js'
import type { CallContext, ChatRequest, CredentialHealth, DeltaEvent, ModelSpec } from '../../src/kit/types.js'
import { embed } from './embed.js'
import { pollMedia, submitMedia } from './media.js'

const modelEntry = z.union([
  z.string(),
  z.object({
    id: z.string(),
    upstream: z.string().optional(),
    owned_by: z.string().optional(),
    /** `embedding` models are served by /v1/embeddings; media kinds by the images, audio and videos routes. */
    kind: z.enum(['chat', 'embedding', 'image', 'video', 'music', 'transcription']).optional(),
  }),
])

export const settingsSchema = z.object({
  models: z.array(modelEntry).default([]),
  /** Extra headers for every request (e.g. an organisation id). */
  headers: z.record(z.string(), z.string()).default({}),
  /** Path appended to base_url for chat. */
  chat_path: z.string().default('/chat/completions'),
  /** Path appended to base_url for embeddings. */
  embeddings_path: z.string().default('/embeddings'),
  images_path: z.string().default('/images/generations'),
  edits_path: z.string().default('/images/edits'),
  transcriptions_path: z.string().default('/audio/transcriptions'),
  videos_path: z.string().default('/videos'),
})
export type OpenAICompatibleSettings = z.infer<typeof settingsSchema>

type Ctx = CallContext<OpenAICompatibleSettings>

function toModelSpecs(entries: OpenAICompatibleSettings['models'], name: string): ModelSpec[] {
  return entries.map((e) =>
    typeof e === 'string'
      ? { id: e, ownedBy: name }
      : { id: e.id, ownedBy: e.owned_by ?? name, ...(e.upstream ? { upstream: e.upstream } : {}), ...(e.kind ? { kind: e.kind } : {}) },
  )
}

function headers(ctx: Ctx): Record<string, string> {
  const h: Record<string, string> = { ...ctx.settings.headers }
  if (ctx.credential.secret) h.authorization = `Bearer ${ctx.credential.secret}`
  return h
}

function chat(name: string, req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  return openAIChat({ url: ctx.settings.base_url + ctx.settings.chat_path, headers: headers(ctx), provider: name }, req, ctx)
}

/** Lists the models: a 401/403 is a rejected key; anything else that fails says nothing about it. */
function probe(name: string, ctx: Ctx): Promise<CredentialHealth> {
  return runProbe(name, async () => {
    const list = await ctx.http.json(`${ctx.settings.base_url}/models`, { headers: headers(ctx), signal: ctx.signal })
    if (!isObject(list)) throw protocolError(`${name}: GET /models answered something other than a JSON object`, { provider: name })
    return { ok: true }
  })
}

export default defineProvider<OpenAICompatibleSettings>({
  id: 'openai-compatible',
  defaultBaseUrl: 'https://api.openai.com/v1',
  defaultConcurrency: 64,
  settings: settingsSchema,
  enabledByDefault: false,
  create: (name, settings) => ({
    id: name,
    credentialKind: 'api_key',
    multipleChoices: true,
    models: toModelSpecs(settings.models, name),
    chat: (req, ctx) => chat(name, req, ctx),
    embed: (req, ctx) => embed(name, req, ctx),
    submitMedia: (req, ctx) => submitMedia(name, req, ctx),
    pollMedia: (task, ctx) => pollMedia(name, task, ctx),
    probe: (ctx) => probe(name, ctx),
  }),
})
