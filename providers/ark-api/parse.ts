// Ark answers → MediaJob / MediaSnapshot (pure).
import { protocolError } from '../../src/kit/errors.js'
import { isObject } from '../../src/kit/json.js'
import type { MediaJob, MediaOutput, MediaSnapshot, MediaStatus } from '../../src/kit/types.js'

interface WireImage {
  url?: unknown
  b64_json?: unknown
  error?: { message?: unknown; code?: unknown }
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

/** /images/generations: `data[]` holds a URL or base64 per image; failed items of a batch carry `error`. */
export function parseImages(body: unknown, provider: string): MediaJob {
  if (!isObject(body) || !Array.isArray(body.data)) throw protocolError(`${provider}: the image generation answered without data`, { provider })
  const items = body.data.filter(isObject) as WireImage[]
  const outputs = items.flatMap((d): MediaOutput[] => {
    if (typeof d.url === 'string') return [{ kind: 'image', url: d.url }]
    if (typeof d.b64_json === 'string') return [{ kind: 'image', b64: d.b64_json, mime: 'image/jpeg' }]
    return []
  })
  if (!outputs.length) {
    const failed = items.find((d) => isObject(d.error))?.error
    return { status: 'failed', error: String(failed?.message ?? failed?.code ?? 'no image in the answer') }
  }
  const usage = isObject(body.usage) ? body.usage : {}
  return { status: 'completed', progress: 100, outputs, usage: { images: num(usage.generated_images) ?? outputs.length } }
}

/** The task creation answer: `{id}`. */
export function parseSubmit(body: unknown, provider: string): MediaJob {
  if (!isObject(body) || typeof body.id !== 'string' || !body.id) throw protocolError(`${provider}: the video task was created without an id`, { provider })
  return { status: 'queued', progress: 0, upstreamId: body.id, state: {} }
}

const statuses: Record<string, MediaStatus> = { queued: 'queued', pending: 'queued', running: 'in_progress', processing: 'in_progress', succeeded: 'completed' }

/** GET /contents/generations/tasks/{id}; failed, expired and cancelled tasks are final failures. */
export function parseTask(body: unknown, provider: string): MediaSnapshot {
  if (!isObject(body) || typeof body.status !== 'string') throw protocolError(`${provider}: the video task answered without a status`, { provider })
  const status = statuses[body.status]
  if (!status) {
    const error = isObject(body.error) ? body.error : {}
    const detail = error.message ?? error.code
    return { status: 'failed', error: detail ? String(detail) : `task ${body.status}` }
  }
  if (status !== 'completed') return { status }
  const content = isObject(body.content) ? body.content : {}
  if (typeof content.video_url !== 'string') return { status: 'failed', error: 'task succeeded without a video_url' }
  const seconds = num(body.duration)
  return { status: 'completed', progress: 100, outputs: [{ kind: 'video', url: content.video_url, mime: 'video/mp4' }], usage: seconds === undefined ? {} : { seconds } }
}
