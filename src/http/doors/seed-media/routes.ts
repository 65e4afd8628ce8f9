// The seed's media routes: one line each, served by the generic door in door.ts over the task
// engine. A provider that serves a seed route adds its line here when it merges. Each route names
// the model (or reads it from the body), the media kind, how the seed's body becomes a media
// request and how the finished task becomes the seed's `data`. user_uuid, chat_id, zidingyican,
// auth, billing, the wait and the envelope are the door's business, not the route's.
import { z } from 'zod'
import type { TaskRow } from '../../../db/tasks.repo.js'
import type { MediaKind, MediaOutput, MediaRequest } from '../../../kit/types.js'

export type SeedBody = Record<string, unknown>

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
  request(body: SeedBody): Omit<MediaRequest, 'model' | 'kind' | 'extra'>
  /** The finished task → the envelope's `data`. */
  answer(task: TaskRow): Record<string, unknown>
  /** How long the route waits for the job (default tasks.wait_ms); past it the answer is a 408. */
  timeoutMs?: number
}

/** The task's output URLs (inline results as data: URLs). */
export function urlsOf(task: TaskRow): string[] {
  return ((task.outputs ?? []) as MediaOutput[]).map((o) => o.url ?? `data:${o.mime ?? 'application/octet-stream'};base64,${o.b64}`)
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined)
const num = (v: unknown) => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? Number(v) : undefined)

const videoFields = z.object({
  prompt: z.string().optional(),
  model: z.string().optional(),
  image_url: z.string().optional().meta({ description: 'The first frame (img_url also accepted)' }),
  duration: z.union([z.number(), z.string()]).optional().meta({ description: 'Seconds (seconds also accepted)' }),
  size: z.string().optional(),
})

/** A prompt-driven video: prompt, optional first frame (image_url) and duration. */
export function videoRequest(body: SeedBody): Omit<MediaRequest, 'model' | 'kind' | 'extra'> {
  const prompt = str(body.prompt)
  const image = str(body.image_url) ?? str(body.img_url)
  const seconds = num(body.duration ?? body.seconds)
  const size = str(body.size) ?? str(body.resolution)
  return { ...(prompt ? { prompt } : {}), ...(image ? { images: [image] } : {}), ...(seconds ? { seconds } : {}), ...(size ? { size } : {}) }
}

export const SEED_MEDIA_ROUTES: readonly SeedMediaRoute[] = [
  // Luyala is an openai-compatible instance the operator configures; `luyala-video` is the name to
  // declare there (or to alias to the instance's video model) when the body names no model.
  {
    path: '/cozeZhsApi/luyala/video/create',
    summary: "A video over the operator's luyala instance",
    fields: videoFields,
    data: z.object({ video_url: z.string().nullable(), task_id: z.string() }),
    kind: 'video',
    model: (b) => str(b.model) ?? 'luyala-video',
    request: videoRequest,
    answer: (t) => ({ video_url: urlsOf(t)[0] ?? null, task_id: t.id }),
  },
]
