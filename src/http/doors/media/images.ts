// POST /v1/images/generations and /v1/images/edits: OpenAI's image routes over the task engine.
// Both answer when the images exist (an asynchronous vendor is polled meanwhile), as URLs or
// base64 as the client asked. Edits take a form (image / image[], mask) or JSON with image URLs.
import type { MediaOutput } from '../../../kit/types.js'
import { ApiError } from '../../errors.js'
import type { Door, Prepared, Reply } from '../door.js'
import { type MediaDoorOptions, count, extraOf, fieldsOf, finished, inputUrl, mediaError, oneOf, outputsOf, text } from './common.js'

const KNOWN = new Set(['model', 'prompt', 'n', 'size', 'response_format', 'quality', 'style', 'user', 'image', 'image[]', 'images', 'mask'])
/** The biggest image we fetch to answer b64_json when the vendor gave a URL. */
const MAX_IMAGE_BYTES = 50 * 1024 * 1024

/** A URL result as base64 (the vendor's link expires; b64_json asks for the bytes now). */
async function bytesOf(o: MediaOutput, signal: AbortSignal): Promise<string> {
  if (o.b64) return o.b64
  const url = o.url ?? ''
  const inline = /^data:[^;,]*;base64,(.*)$/s.exec(url)
  if (inline) return inline[1]!
  const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]) })
  const size = Number(res.headers.get('content-length') ?? 0)
  if (!res.ok || size > MAX_IMAGE_BYTES) throw ApiError.badRequest(`could not fetch the generated image for b64_json (${res.status})`)
  return Buffer.from(await res.arrayBuffer()).toString('base64')
}

function inputImages(f: Record<string, unknown>): string[] {
  const raw = f['image[]'] ?? f.image ?? f.images
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  if (!list.length) throw ApiError.badRequest('image: required (a file, image[] files, or images: [{"image_url": "..."}])', 'image')
  if (list.length > 16) throw ApiError.badRequest('image: at most 16 images', 'image', 'invalid_value')
  return list.map((v, i) => inputUrl(v, `image[${i}]`))
}

async function handle(o: MediaDoorOptions, req: Prepared, signal: AbortSignal, edit: boolean): Promise<Reply> {
  const f = fieldsOf(req.body)
  const format = oneOf(f, 'response_format', ['url', 'b64_json'] as const) ?? 'url'
  const n = count(f, 'n', 10)
  const size = text(f, 'size')
  const quality = text(f, 'quality')
  const style = text(f, 'style')
  const user = text(f, 'user')
  const images = edit ? inputImages(f) : undefined
  const mask = edit && f.mask !== undefined ? inputUrl(f.mask, 'mask') : undefined
  const row = await o.tasks.submit({
    requestId: req.requestId,
    clientRequestId: req.clientRequestId,
    caller: req.caller,
    model: text(f, 'model', true)!,
    kinds: ['image'],
    request: {
      prompt: text(f, 'prompt', true)!,
      ...(images ? { images } : {}),
      ...(mask ? { mask } : {}),
      ...(n ? { n } : {}),
      ...(size ? { size } : {}),
      ...(quality ? { quality } : {}),
      ...(style ? { style } : {}),
      ...(user ? { user } : {}),
      extra: extraOf(f, KNOWN),
    },
    signal,
  })
  const done = await finished(o, row, signal)
  if (!done) return { kind: 'closed' }
  const outputs = outputsOf(done).filter((x) => x.kind === 'image')
  const data = await Promise.all(
    outputs.map(async (x) => (format === 'b64_json' ? { b64_json: await bytesOf(x, signal) } : { url: x.url ?? `data:${x.mime ?? 'image/png'};base64,${x.b64}` })),
  )
  return { kind: 'json', status: 200, body: { created: Math.floor(done.createdAt / 1000), data } }
}

export function imageDoors(o: MediaDoorOptions): Door[] {
  const error = mediaError(o.log)
  return [
    { path: '/v1/images/generations', prefixed: true, handle: (req, signal) => handle(o, req, signal, false), error },
    { path: '/v1/images/edits', prefixed: true, multipart: true, handle: (req, signal) => handle(o, req, signal, true), error },
  ]
}
