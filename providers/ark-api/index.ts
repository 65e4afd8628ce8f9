// Volcengine Ark (Doubao) official API: Doubao chat (OpenAI-compatible), Seedream images and
// SeedEdit edits (/images/generations, synchronous), Seedance video (content-generation tasks).
import { notSupported } from '../../src/kit/errors.js'
import { openAIChat } from '../../src/kit/openai-chat.js'
import { defineProvider } from '../../src/kit/types.js'
import type { MediaJob, MediaRequest, ModelSpec } from '../../src/kit/types.js'
import { type Ctx, call, classify, headersOf, urlOf } from './client.js'
import { CHAT_PATH, DEFAULT_BASE_URL, IMAGES_PATH, PROVIDER_ID, VIDEO_TASKS_PATH } from './constants.js'
import { parseImages, parseSubmit, parseTask } from './parse.js'
import { imageBody, videoBody } from './request.js'
import { type ArkSettings, settingsSchema, toModelSpecs } from './settings.js'

async function submitMedia(name: string, byUpstream: Map<string, ModelSpec>, req: MediaRequest, ctx: Ctx): Promise<MediaJob> {
  const kind = byUpstream.get(req.model)?.kind
  if (kind === 'image') return parseImages(await call(ctx, name, IMAGES_PATH, imageBody(req, name, ctx.settings.watermark)), name)
  if (kind === 'video') return parseSubmit(await call(ctx, name, VIDEO_TASKS_PATH, videoBody(req, name, ctx.settings.watermark)), name)
  throw notSupported(`${name}: ${req.model} is not a media model`, { provider: name })
}

export default defineProvider<ArkSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  defaultConcurrency: 16,
  settings: settingsSchema,
  // Listed only when configured (or DOUBAO_API_KEY is set): a fresh install has no key.
  enabledByDefault: false,
  create: (name, settings) => {
    const models = toModelSpecs(settings.models, name)
    const byUpstream = new Map(models.map((m) => [m.upstream ?? m.id, m]))
    return {
      id: name,
      credentialKind: 'api_key',
      multipleChoices: true,
      models,
      chat: (req, ctx) =>
        openAIChat({ url: urlOf(ctx, CHAT_PATH), headers: headersOf(ctx), provider: name, classify: (s, b) => classify(name, s, b) }, req, ctx),
      submitMedia: (req, ctx) => submitMedia(name, byUpstream, req, ctx),
      pollMedia: async (task, ctx) => parseTask(await call(ctx, name, `${VIDEO_TASKS_PATH}/${encodeURIComponent(task.upstreamId)}`), name),
      // An inference endpoint (`ep-…`) names a chat model the operator deployed in the Ark console.
      resolveModel: (model) => (model.startsWith('ep-') ? { id: model, ownedBy: name } : undefined),
    }
  },
})
