// The seed's media routes: one line each, served by the generic door in door.ts over the task
// engine. Each route names the model (or reads it from the body), the media kind, how the seed's
// body becomes a media request (mappers.ts) and how the finished task becomes the seed's `data`.
// user_uuid, chat_id, zidingyican, auth, billing, the wait and the envelope are the door's business.
import { z } from 'zod'
import type { TaskRow } from '../../../db/tasks.repo.js'
import type { MediaKind } from '../../../kit/types.js'
import {
  type SeedBody,
  type SeedRequest,
  blendFields,
  blendRequest,
  editFields,
  editRequest,
  imageFields,
  imageRequest,
  musicFields,
  recognizeAnswer,
  recognizeData,
  recognizeFields,
  recognizeRequest,
  str,
  urlsOf,
  videoFields,
  videoRequest,
} from './mappers.js'

export type { SeedBody } from './mappers.js'
export { urlsOf, videoRequest } from './mappers.js'

export interface SeedMediaRoute {
  /** Path at the root, as the seed's clients hard-code it. */
  path: string
  /** For the OpenAPI document. */
  summary: string
  /** The route's own body fields (user_uuid, chat_id and zidingyican are added for every route). */
  fields: z.ZodObject
  /** The envelope's `data`, as answer() builds it. */
  data: z.ZodType
  kind: MediaKind
  /** The model to run: a fixed name, or read from the body (a route or alias name works too). */
  model: string | ((body: SeedBody) => string)
  /** The seed's body → the media request (without the model, kind and extra, which the door sets). */
  request(body: SeedBody): SeedRequest
  /** The finished task → the envelope's `data`. */
  answer(task: TaskRow): Record<string, unknown>
  /** How long the route waits for the job (default tasks.wait_ms); past it the answer is a 408. */
  timeoutMs?: number
}

const url = z.string().nullable()
const orBody = (fallback: string) => (b: SeedBody) => str(b.model) ?? fallback
const first = (t: TaskRow) => urlsOf(t)[0] ?? null

const imageUrls = { data: z.object({ image_urls: z.array(z.string()) }), answer: (t: TaskRow) => ({ image_urls: urlsOf(t) }) }
const resultUrl = { data: z.object({ result_url: url }), answer: (t: TaskRow) => ({ result_url: first(t) }) }

/** A DashScope text-to-image model on its own path (the path names the model). */
const dashscopeImage = (model: string): SeedMediaRoute => ({
  path: `/cozeZhsApi/dashscope/image/generate/${model}`,
  summary: `DashScope ${model}: images from a prompt`,
  fields: imageFields,
  kind: 'image',
  model,
  request: imageRequest,
  ...imageUrls,
})

/** A Jimeng 3.0 video (the req_key is the model). */
const jimeng = (path: string, model: string): SeedMediaRoute => ({
  path,
  summary: `Jimeng ${model} (Volcengine visual API)`,
  fields: videoFields,
  kind: 'video',
  model,
  request: videoRequest,
  ...resultUrl,
})

const VISUAL = '/cozeZhsApi/proxy/volcengine/visual'

export const SEED_MEDIA_ROUTES: readonly SeedMediaRoute[] = [
  // Luyala is an openai-compatible instance the operator configures; `luyala-video` is the name to
  // declare there (or to alias to the instance's video model) when the body names no model.
  {
    path: '/cozeZhsApi/luyala/video/create',
    summary: "A video over the operator's luyala instance",
    fields: videoFields,
    data: z.object({ video_url: url, task_id: z.string() }),
    kind: 'video',
    model: orBody('luyala-video'),
    request: videoRequest,
    answer: (t) => ({ video_url: first(t), task_id: t.id }),
  },
  {
    path: '/cozeZhsApi/proxy/video-generation',
    summary: 'Seedance image-to-video (Ark)',
    fields: videoFields,
    data: z.object({ video_url: url, task_id: z.string() }),
    kind: 'video',
    model: orBody('doubao-seedance-1-0-pro-250528'),
    request: videoRequest,
    answer: (t) => ({ video_url: first(t), task_id: t.id }),
  },
  {
    path: '/cozeZhsApi/proxy/doubao-seedream-generation',
    summary: 'Seedream images (Ark)',
    fields: imageFields,
    data: z.object({ image_url: url, task_id: z.string() }),
    kind: 'image',
    model: orBody('doubao-seedream-4-0-250828'),
    request: imageRequest,
    answer: (t) => ({ image_url: first(t), task_id: t.id }),
  },
  {
    path: '/cozeZhsApi/proxy/doubao-image-edit',
    summary: 'SeedEdit: one image edited by a prompt (Ark)',
    fields: editFields,
    data: z.object({ image_url: url }),
    kind: 'image',
    model: orBody('doubao-seededit-3-0-i2i-250628'),
    request: editRequest,
    answer: (t) => ({ image_url: first(t) }),
  },
  { ...imageUrls, path: '/cozeZhsApi/proxy/volcengine/image', summary: 'Seedream images (Ark)', fields: imageFields, kind: 'image', model: orBody('doubao-seedream-4-0-250828'), request: imageRequest },
  dashscopeImage('qwen-image-plus'),
  dashscopeImage('qwen-image'),
  dashscopeImage('wan2.5-t2i-preview'),
  {
    path: '/cozeZhsApi/dashscope/image-to-image',
    summary: 'DashScope Wan image-to-image: up to 3 images and a prompt',
    fields: blendFields,
    data: z.object({ image_urls: z.array(z.string()), lists: z.array(z.object({ imgUrl: z.string() })) }),
    kind: 'image',
    model: orBody('wan2.5-i2i-preview'),
    request: blendRequest,
    answer: (t) => ({ image_urls: urlsOf(t), lists: urlsOf(t).map((imgUrl) => ({ imgUrl })) }),
  },
  {
    path: '/api/v1/dashscope/image/edit/simple',
    summary: 'DashScope qwen-image-edit: one image edited by a prompt',
    fields: editFields,
    data: z.object({ edited_image_url: url }),
    kind: 'image',
    model: orBody('qwen-image-edit'),
    request: editRequest,
    answer: (t) => ({ edited_image_url: first(t) }),
  },
  {
    path: '/cozeZhsApi/dashscope/audio/recognize',
    summary: 'DashScope speech recognition (qwen3-asr-flash)',
    fields: recognizeFields,
    data: recognizeData,
    kind: 'transcription',
    model: orBody('qwen3-asr-flash'),
    request: recognizeRequest,
    answer: recognizeAnswer,
  },
  jimeng(`${VISUAL}/images/jimeng_i2v_first_tail_v30`, 'jimeng_i2v_first_tail_v30'),
  jimeng(`${VISUAL}/images/jimeng_i2v_first_v30`, 'jimeng_i2v_first_v30'),
  jimeng(`${VISUAL}/images/jimeng_i2v_recamera_v30`, 'jimeng_i2v_recamera_v30'),
  jimeng(`${VISUAL}/jimeng_t2v_v30_1080p`, 'jimeng_t2v_v30_1080p'),
  {
    path: '/cozeZhsApi/kling/generate/o1',
    summary: 'Kling O1 video, from a prompt or a first frame',
    fields: videoFields,
    data: z.object({ video_url: url }),
    kind: 'video',
    model: 'kling-o1',
    request: videoRequest,
    answer: (t) => ({ video_url: first(t) }),
  },
  {
    path: '/suno/generate/music',
    summary: 'A song through the Suno-API service',
    fields: musicFields,
    data: z.object({ music_url: url }),
    kind: 'music',
    model: orBody('suno-v3.5'),
    request: videoRequest,
    answer: (t) => ({ music_url: first(t) }),
  },
]
