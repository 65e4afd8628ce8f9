// MediaRequest → the submit body for a req_key, and GetResult's data → a MediaSnapshot. Pure.
import { invalidRequest } from '../../src/kit/errors.js'
import { dataUrlParts } from '../../src/kit/data-url.js'
import type { MediaRequest, MediaSnapshot } from '../../src/kit/types.js'
import { ASPECT_RATIOS, DEFAULT_CAMERA_STRENGTH, DEFAULT_TEMPLATE_ID, type JimengMode, PROVIDER_ID, framesFor } from './constants.js'

const fail = (message: string) => invalidRequest(`${PROVIDER_ID}: ${message}`, { provider: PROVIDER_ID })

/** `16:9` as it is; `1280x720` → the listed ratio nearest to it; anything else → 16:9. */
export function aspectRatioOf(size: string | undefined): string {
  if (!size) return '16:9'
  if ((ASPECT_RATIOS as readonly string[]).includes(size)) return size
  const m = /^(\d+)\s*[x*×]\s*(\d+)$/i.exec(size.trim())
  if (!m) return '16:9'
  const want = Number(m[1]) / Number(m[2])
  const ratio = (r: string) => {
    const [w, h] = r.split(':').map(Number)
    return w! / h!
  }
  return [...ASPECT_RATIOS].sort((a, b) => Math.abs(ratio(a) - want) - Math.abs(ratio(b) - want))[0]!
}

/** Images go as URLs or as raw base64, never mixed: the API takes one list or the other. */
function imageFields(images: string[]): Record<string, unknown> {
  const inline = images.map(dataUrlParts)
  if (inline.every((p) => p)) return { binary_data_base64: inline.map((p) => p!.data) }
  if (inline.some((p) => p)) throw fail('give every image as an http(s) URL or every image as a data: URL, not both')
  if (!images.every((u) => /^https?:\/\//i.test(u))) throw fail('an image must be an http(s) URL or a base64 data: URL')
  return { image_urls: images }
}

function imagesFor(mode: JimengMode, req: MediaRequest): string[] {
  const given = [...(req.images ?? []), ...(req.lastFrame ? [req.lastFrame] : [])]
  if (mode === 't2v') {
    if (given.length) throw fail(`${req.model} is text-to-video and takes no image`)
    return []
  }
  const want = mode === 'first_tail' ? 2 : 1
  if (given.length !== want) throw fail(`${req.model} takes ${want === 2 ? 'a first and a last frame' : 'one image'} (got ${given.length})`)
  return given
}

export function submitBody(mode: JimengMode, req: MediaRequest): Record<string, unknown> {
  if (!req.prompt && mode === 't2v') throw fail('a prompt is required')
  const body: Record<string, unknown> = { req_key: req.model, prompt: req.prompt ?? '', seed: -1, frames: framesFor(req.seconds) }
  if (mode === 't2v') body.aspect_ratio = aspectRatioOf(req.size)
  const images = imagesFor(mode, req)
  if (images.length) Object.assign(body, imageFields(images))
  if (mode === 'recamera') {
    body.template_id = DEFAULT_TEMPLATE_ID
    body.camera_strength = DEFAULT_CAMERA_STRENGTH
  }
  // The caller's vendor parameters (seed, frames, template_id...) win over ours.
  return { ...body, ...req.extra, req_key: req.model }
}

/** GetResult data (code 10000) → where the task stands. */
export function snapshotOf(data: Record<string, unknown> | null | undefined, seconds: number): MediaSnapshot {
  const status = data?.status
  if (status === 'in_queue') return { status: 'queued' }
  if (status === 'generating') return { status: 'in_progress' }
  if (status === 'done') {
    const url = typeof data?.video_url === 'string' ? data.video_url : undefined
    const b64 = Array.isArray(data?.binary_data_base64) && typeof data.binary_data_base64[0] === 'string' ? data.binary_data_base64[0] : undefined
    if (!url && !b64) return { status: 'failed', error: `${PROVIDER_ID}: the task is done but carries no video` }
    return { status: 'completed', progress: 100, outputs: [{ kind: 'video', mime: 'video/mp4', ...(url ? { url } : { b64 }) }], usage: { seconds } }
  }
  if (status === 'not_found' || status === 'expired') return { status: 'failed', error: `${PROVIDER_ID}: the task is ${String(status).replace('_', ' ')}` }
  return { status: 'in_progress' }
}
