// MediaRequest → Ark request bodies (pure). Vendor parameters in `extra` (the seeds' zidingyican
// pairs) are sent as they are and win over what Freeway derived.
import { invalidRequest } from '../../src/kit/errors.js'
import type { MediaRequest } from '../../src/kit/types.js'

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

function needPrompt(req: MediaRequest, provider: string): string {
  if (!req.prompt) throw invalidRequest(`${provider}: ${req.model} needs a prompt`, { provider })
  return req.prompt
}

/** Ark writes sizes as `2048x2048` or `1K`/`2K`/`4K`; DashScope's `*` spelling is accepted too. */
export function arkSize(size: string | undefined): string | undefined {
  if (!size) return undefined
  if (/^\d+k$/i.test(size)) return size.toUpperCase()
  return size.replace(/^(\d+)\s*[*×X]\s*(\d+)$/, '$1x$2')
}

/**
 * Seedream / SeedEdit through /images/generations. One input image goes as a string (SeedEdit
 * takes nothing else), several as an array (Seedream 4 multi-reference). n > 1 asks Seedream 4
 * for a sequence of up to n images, its way of making several.
 */
export function imageBody(req: MediaRequest, provider: string, watermark: boolean): Record<string, unknown> {
  const prompt = needPrompt(req, provider)
  if (req.model.includes('seededit') && !req.images?.length) throw invalidRequest(`${provider}: ${req.model} edits an image: give one`, { provider })
  const images = req.images ?? []
  const n = req.n ?? 1
  return defined({
    model: req.model,
    prompt,
    image: images.length === 0 ? undefined : images.length === 1 ? images[0] : images,
    size: arkSize(req.size),
    response_format: 'url',
    watermark,
    ...(n > 1 ? { sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: n } } : {}),
    ...req.extra,
  })
}

const RATIOS = ['16:9', '4:3', '1:1', '3:4', '9:16', '21:9']

/** `1280x720` → the nearest Seedance ratio and resolution; `720p` → a resolution; `16:9` → a ratio. */
export function videoShape(size: string | undefined): { ratio?: string; resolution?: string } {
  if (!size) return {}
  if (/^\d{3,4}p$/i.test(size)) return { resolution: size.toLowerCase() }
  if (/^\d+:\d+$/.test(size) || size === 'adaptive') return { ratio: size }
  const m = /^(\d+)\s*[x*×X]\s*(\d+)$/.exec(size)
  if (!m) return {}
  const [w, h] = [Number(m[1]), Number(m[2])]
  const value = (r: string) => {
    const [a, b] = r.split(':').map(Number) as [number, number]
    return Math.abs(Math.log(a / b) - Math.log(w / h))
  }
  const ratio = RATIOS.reduce((best, r) => (value(r) < value(best) ? r : best))
  const short = Math.min(w, h)
  return { ratio, resolution: short <= 480 ? '480p' : short <= 720 ? '720p' : '1080p' }
}

/**
 * A Seedance content-generation task: the prompt as a text item, the first (and last) frame as
 * image items; the shape settings as top-level fields, which current API versions read.
 */
export function videoBody(req: MediaRequest, provider: string, watermark: boolean): Record<string, unknown> {
  const prompt = needPrompt(req, provider)
  const [first, second] = req.images ?? []
  const last = req.lastFrame ?? second
  const frame = (url: string, role?: string) => ({ type: 'image_url', image_url: { url }, ...(role ? { role } : {}) })
  const content: Record<string, unknown>[] = [{ type: 'text', text: prompt }]
  if (first) content.push(frame(first, last ? 'first_frame' : undefined))
  if (first && last) content.push(frame(last, 'last_frame'))
  return defined({
    model: req.model,
    content,
    ...videoShape(req.size),
    duration: req.seconds === undefined ? undefined : Math.round(req.seconds),
    watermark,
    ...req.extra,
  })
}
