// Any OpenAI-compatible endpoint (official DeepSeek, Moonshot, Zhipu, DashScope, Ark, MiniMax,
// OpenAI...), configured as named instances: providers.<name>: {type: openai-compatible, ...}.
import { z } from 'zod'
import { protocolError } from '../../src/kit/errors.js'
import { isObject } from '../../src/kit/json.js'
import { runProbe } from '../../src/kit/probe.js'
import { SseDecoder } from '../../src/kit/sse.js'
import { defineProvider } from '../../src/kit/types.js'
import type { CallContext, ChatRequest, CredentialHealth, DeltaEvent, ModelSpec } from '../../src/kit/types.js'
import { embed } from './embed.js'
import { pollMedia, submitMedia } from './media.js'
import { type WireChunk, parseCompletion, parseStreamData } from './parse.js'

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

export function buildBody(req: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { ...req.extra, model: req.model, messages: req.messages, stream: req.stream }
  const optional = ['n', 'temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'response_format', 'user'] as const
  for (const key of optional) if (req[key] !== undefined) body[key] = req[key]
  if (req.max_tokens !== undefined) body[req.maxTokensParam ?? 'max_tokens'] = req.max_tokens
  if (req.reasoning?.effort) body.reasoning_effort = req.reasoning.effort
  // Always ask for usage so records are honest; the core strips it unless the client asked.
  if (req.stream) body.stream_options = { ...(req.extra.stream_options as object), include_usage: true }
  return body
}

function headers(ctx: Ctx): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json, text/event-stream', ...ctx.settings.headers }
  if (ctx.credential.secret) h.authorization = `Bearer ${ctx.credential.secret}`
  return h
}

async function* chat(name: string, req: ChatRequest, ctx: Ctx): AsyncGenerator<DeltaEvent> {
  const res = await ctx.http.ok(ctx.settings.base_url + ctx.settings.chat_path, {
    json: buildBody(req),
    headers: headers(ctx),
    signal: ctx.signal,
  })
  if (!req.stream) {
    yield* parseCompletion(await res.json<WireChunk>(), name)
    return
  }
  // The relay's hottest loop: decode in place rather than through another async generator, and
  // yield event by event (yield* over an array would wrap it in an async-from-sync iterator).
  const sse = new SseDecoder()
  for await (const chunk of res.body) {
    for (const ev of sse.push(chunk)) {
      if (ev.data === '[DONE]') continue // read on to the natural end so the connection is reused
      for (const event of parseStreamData(ev.data, name)) yield event
    }
  }
  for (const ev of sse.end()) if (ev.data !== '[DONE]') for (const event of parseStreamData(ev.data, name)) yield event
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
