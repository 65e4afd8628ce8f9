// How the seed's bodies become media requests and finished tasks become the seed's `data`, for
// the route table in routes.ts. The seed's clients send loosely typed bodies (numbers as strings,
// `img_url` beside `image_url`), so the readers are lenient; what a route needs is checked by the
// vendor's adapter, whose refusal is the route's 400.
import { z } from 'zod'
import type { TaskRow } from '../../../db/tasks.repo.js'
import type { MediaOutput, MediaRequest } from '../../../kit/types.js'
import { ApiError } from '../../errors.js'

export type SeedBody = Record<string, unknown>
export type SeedRequest = Omit<MediaRequest, 'model' | 'kind' | 'extra'>

export const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined)
const num = (v: unknown) => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? Number(v) : undefined)
const numeric = z.union([z.number(), z.string()])

/** The task's output URLs (inline results as data: URLs). */
export function urlsOf(task: TaskRow): string[] {
  return ((task.outputs ?? []) as MediaOutput[]).map((o) => o.url ?? `data:${o.mime ?? 'application/octet-stream'};base64,${o.b64}`)
}

function required(body: SeedBody, name: string): string {
  const v = str(body[name])
  if (!v) throw ApiError.badRequest(`${name}: required`)
  return v
}

export const videoFields = z.object({
  prompt: z.string().optional(),
  model: z.string().optional(),
  image_url: z.string().optional().meta({ description: 'The first frame (img_url also accepted)' }),
  last_frame_url: z.string().optional().meta({ description: 'The last frame, for first-and-last-frame models' }),
  duration: numeric.optional().meta({ description: 'Seconds (seconds also accepted)' }),
  size: z.string().optional(),
})

/** A prompt-driven video: prompt, optional first (and last) frame and duration. */
export function videoRequest(body: SeedBody): SeedRequest {
  const prompt = str(body.prompt)
  const image = str(body.image_url) ?? str(body.img_url) ?? str(body.first_frame_url)
  const last = str(body.last_frame_url) ?? str(body.tail_image_url)
  const seconds = num(body.duration ?? body.seconds)
  const size = str(body.size) ?? str(body.resolution)
  return {
    ...(prompt ? { prompt } : {}),
    ...(image ? { images: [image] } : {}),
    ...(last ? { lastFrame: last } : {}),
    ...(seconds ? { seconds } : {}),
    ...(size ? { size } : {}),
  }
}

export const imageFields = z.object({
  prompt: z.string(),
  model: z.string().optional(),
  size: z.string().optional().meta({ description: '1024*1024 or 1024x1024 (or the vendor’s own word, 2K)' }),
  n: numeric.optional(),
  image_url: z.string().optional().meta({ description: 'An input image, for models that take one' }),
})

/** A prompt (and optional input image) → images. */
export function imageRequest(body: SeedBody): SeedRequest {
  const size = str(body.size)
  const n = num(body.n)
  const image = str(body.image_url) ?? str(body.img_url)
  return { prompt: required(body, 'prompt'), ...(size ? { size } : {}), ...(n ? { n } : {}), ...(image ? { images: [image] } : {}) }
}

export const editFields = z.object({ prompt: z.string(), image_url: z.string(), model: z.string().optional(), size: z.string().optional() })

/** One image edited by a prompt. */
export function editRequest(body: SeedBody): SeedRequest {
  const size = str(body.size)
  return { prompt: required(body, 'prompt'), images: [required(body, 'image_url')], ...(size ? { size } : {}) }
}

export const blendFields = z.object({
  prompt: z.string(),
  images: z.array(z.looseObject({ imgUrl: z.string() })).min(1),
  model: z.string().optional(),
  size: z.string().optional(),
  n: numeric.optional(),
})

/** Image-to-image: `images: [{imgUrl, …}]` and a prompt. */
export function blendRequest(body: SeedBody): SeedRequest {
  const list = Array.isArray(body.images) ? body.images : []
  const images = list.map((i) => str((i as { imgUrl?: unknown } | null)?.imgUrl)).filter((u): u is string => !!u)
  if (!images.length) throw ApiError.badRequest('images: required ([{"imgUrl": "..."}])')
  const size = str(body.size)
  const n = num(body.n)
  return { prompt: required(body, 'prompt'), images, ...(size ? { size } : {}), ...(n ? { n } : {}) }
}

export const recognizeFields = z.object({
  audio_url: z.string(),
  model: z.string().optional(),
  language: z.string().optional(),
  system_prompt: z.string().optional(),
})

/** Speech recognition: the audio URL, its language and the context as instructions. */
export function recognizeRequest(body: SeedBody): SeedRequest {
  const language = str(body.language)
  const context = str(body.system_prompt)
  return { audio: required(body, 'audio_url'), ...(language ? { language } : {}), ...(context ? { instructions: context } : {}) }
}

export const recognizeData = z.object({
  success: z.literal(true),
  message: z.string(),
  transcription: z.string(),
  language_detected: z.string().nullable(),
  total_tokens: z.number().int(),
})

/** The recognition's own answer: the text, the language asked for (the task keeps no detected one yet) and the tokens. */
export function recognizeAnswer(task: TaskRow): z.infer<typeof recognizeData> {
  const usage = task.usage as { promptTokens?: number; completionTokens?: number } | null
  const asked = (task.request as { language?: string }).language
  return {
    success: true,
    message: 'success',
    transcription: task.text ?? '',
    language_detected: asked ?? null,
    total_tokens: (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0),
  }
}

export const musicFields = z.object({
  prompt: z.string().optional(),
  model: z.string().optional(),
  duration: numeric.optional(),
})
