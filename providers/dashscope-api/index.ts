// Alibaba DashScope (Model Studio) official API: chat and vision through compatible mode, images,
// image edits, speech recognition and video through the native services and their async tasks.
import { notSupported, protocolError } from '../../src/kit/errors.js'
import { isObject } from '../../src/kit/json.js'
import { openAIChat } from '../../src/kit/openai-chat.js'
import { runProbe } from '../../src/kit/probe.js'
import { defineProvider } from '../../src/kit/types.js'
import type { CredentialHealth, MediaJob, MediaRequest, ModelSpec } from '../../src/kit/types.js'
import { type Ctx, classify, getTask, headersOf, postNative, urlOf } from './client.js'
import {
  COMPATIBLE_CHAT_PATH,
  COMPATIBLE_MODELS_PATH,
  DEFAULT_BASE_URL,
  IMAGE2IMAGE_PATH,
  MULTIMODAL_PATH,
  type MediaApi,
  PROVIDER_ID,
  TEXT2IMAGE_PATH,
  VIDEO_PATH,
} from './constants.js'
import { parseAsr, parseImageEdit, parseSubmit, parseTask } from './parse.js'
import { asrBody, image2imageBody, imageEditBody, text2imageBody, videoBody } from './request.js'
import { type DashScopeSettings, settingsSchema, toModelSpecs } from './settings.js'

async function submitMedia(name: string, byUpstream: Map<string, ModelSpec>, req: MediaRequest, ctx: Ctx): Promise<MediaJob> {
  const api = byUpstream.get(req.model)?.meta?.api as MediaApi | undefined
  switch (api) {
    case 'text2image':
      return parseSubmit(await postNative(ctx, name, TEXT2IMAGE_PATH, text2imageBody(req, name), true), name)
    case 'image2image':
      return parseSubmit(await postNative(ctx, name, IMAGE2IMAGE_PATH, image2imageBody(req, name), true), name)
    case 'video':
      return parseSubmit(await postNative(ctx, name, VIDEO_PATH, videoBody(req, name), true), name)
    case 'image-edit':
      return parseImageEdit(await postNative(ctx, name, MULTIMODAL_PATH, imageEditBody(req, name), false), name)
    case 'asr':
      return parseAsr(await postNative(ctx, name, MULTIMODAL_PATH, asrBody(req, name), false), name)
    default:
      throw notSupported(`${name}: ${req.model} is not a media model`, { provider: name })
  }
}

/** GET /compatible-mode/v1/models proves the key; only a refusal marks it invalid. */
function probe(name: string, ctx: Ctx): Promise<CredentialHealth> {
  return runProbe(name, async () => {
    const res = await ctx.http.request(urlOf(ctx, COMPATIBLE_MODELS_PATH), { headers: headersOf(ctx), signal: ctx.signal })
    const text = await res.text().catch(() => '')
    if (res.status < 200 || res.status >= 300) throw classify(name, res.status, text) ?? ctx.http.statusError(res.status, text, res.headers['retry-after'])
    if (!isObject(JSON.parse(text))) throw protocolError(`${name}: GET /models answered something other than a JSON object`, { provider: name })
    return { ok: true }
  })
}

export default defineProvider<DashScopeSettings>({
  id: PROVIDER_ID,
  defaultBaseUrl: DEFAULT_BASE_URL,
  defaultConcurrency: 16,
  settings: settingsSchema,
  // Listed only when configured (or DASHSCOPE_API_KEY is set): a fresh install has no key.
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
        openAIChat({ url: urlOf(ctx, COMPATIBLE_CHAT_PATH), headers: headersOf(ctx), provider: name, classify: (s, b) => classify(name, s, b) }, req, ctx),
      submitMedia: (req, ctx) => submitMedia(name, byUpstream, req, ctx),
      pollMedia: async (task, ctx) => parseTask(await getTask(ctx, name, task.upstreamId), task.kind, name),
      probe: (ctx) => probe(name, ctx),
    }
  },
})
