// MediaRequest → Kling's create body and path, and a task → a MediaSnapshot. Pure.
import { invalidRequest } from '../../src/kit/errors.js'
import { asObject } from '../../src/kit/json.js'
import { dataUrlParts } from '../../src/kit/data-url.js'
import type { MediaRequest, MediaSnapshot } from '../../src/kit/types.js'
import { type KlingModel, PROVIDER_ID } from './constants.js'

const fail = (message: string) => invalidRequest(`${PROVIDER_ID}: ${message}`, { provider: PROVIDER_ID })

/** Kling takes an image as a URL or as raw base64 without the data: prefix. */
export function imageValue(url: string): string {
  const inline = dataUrlParts(url)
  if (inline) return inline.data
  if (/^https?:\/\//i.test(url)) return url
  throw fail('an image must be an http(s) URL or a base64 data: URL')
}

/** `9:16` and `1:1` as they are; `720x1280` → the ratio of the side that is longer; else 16:9. */
export function aspectRatioOf(size: string | undefined): string {
  if (size === '9:16' || size === '1:1' || size === '16:9') return size
  const m = /^(\d+)\s*[x*×]\s*(\d+)$/i.exec(size?.trim() ?? '')
  if (!m) return '16:9'
  const [w, h] = [Number(m[1]), Number(m[2])]
  return w === h ? '1:1' : w < h ? '9:16' : '16:9'
}

export interface Create {
  /** Create path; polling adds /{task_id}. */
  path: string
  body: Record<string, unknown>
  seconds: number
}

export function createOf(model: KlingModel, req: MediaRequest): Create {
  const images = (req.images ?? []).map(imageValue)
  const last = req.lastFrame ? imageValue(req.lastFrame) : undefined
  if (!req.prompt && !images.length) throw fail('a prompt or an image is required')
  const base: Record<string, unknown> = { model_name: model.upstream, prompt: req.prompt ?? '', mode: 'std' }
  if (req.negativePrompt) base.negative_prompt = req.negativePrompt
  let path: string
  let seconds: number
  if (model.family === 'omni') {
    // O1 takes 3 to 10 seconds; references go in image_list, pinned as first and last frame.
    seconds = Math.min(10, Math.max(3, Math.round(req.seconds ?? 5)))
    path = '/v1/videos/omni-video'
    const list = [...images.slice(0, 1).map((image_url) => ({ image_url, type: 'first_frame' })), ...(last ? [{ image_url: last, type: 'end_frame' }] : [])]
    if (list.length) base.image_list = list
    else base.aspect_ratio = aspectRatioOf(req.size)
  } else {
    seconds = req.seconds !== undefined && req.seconds > 5 ? 10 : 5
    if (images.length) {
      path = '/v1/videos/image2video'
      base.image = images[0]
      if (last) base.image_tail = last
    } else {
      if (last) throw fail('a last frame needs a first frame')
      path = '/v1/videos/text2video'
      base.aspect_ratio = aspectRatioOf(req.size)
    }
  }
  // duration is a string on the wire; the caller's vendor parameters win over ours.
  return { path, seconds, body: { ...base, duration: String(seconds), ...req.extra, model_name: model.upstream } }
}

/** A task's data → where it stands. */
export function snapshotOf(data: Record<string, unknown>, seconds: number): MediaSnapshot {
  const status = data.task_status
  if (status === 'submitted') return { status: 'queued' }
  if (status === 'processing') return { status: 'in_progress' }
  if (status === 'failed') return { status: 'failed', error: `${PROVIDER_ID}: ${String(data.task_status_msg || 'the task failed')}` }
  if (status !== 'succeed') return { status: 'in_progress' }
  const videos = (asObject(data.task_result)?.videos as unknown[] | undefined) ?? []
  const urls = videos.map((v) => asObject(v)?.url).filter((u): u is string => typeof u === 'string' && u.length > 0)
  if (!urls.length) return { status: 'failed', error: `${PROVIDER_ID}: the task succeeded but carries no video` }
  // What Kling reports it made ("5.1"), else what was asked.
  const made = videos.reduce<number>((sum, v) => sum + (Number(asObject(v)?.duration) || 0), 0)
  return { status: 'completed', progress: 100, outputs: urls.map((url) => ({ kind: 'video', url, mime: 'video/mp4' })), usage: { seconds: made || seconds } }
}
