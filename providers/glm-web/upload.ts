// Images for GLM: fetched (or decoded from a data: URL), uploaded with file_upload, then referenced
// from the user message as an `image` content item.
import { randomBytes } from 'node:crypto'
import { invalidRequest, protocolError } from '../../src/kit/errors.js'
import { type GlmContext, type GlmTokens, glmHeaders, readEnvelope } from './auth.js'
import { PATHS, PROVIDER_ID } from './constants.js'
import { classifyEnvelope, isSuccess } from './parse.js'

const MAX_IMAGE_BYTES = 20 * 1024 * 1024

export interface ImageFile {
  bytes: Uint8Array
  mime: string
  filename: string
}

/** Decode `data:image/png;base64,...`; undefined for any other URL. */
export function decodeDataUrl(url: string): ImageFile | undefined {
  const m = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url)
  if (!m) return undefined
  const mime = m[1] ?? 'application/octet-stream'
  const bytes = m[2] ? Buffer.from(m[3]!, 'base64') : Buffer.from(decodeURIComponent(m[3]!), 'utf8')
  return { bytes, mime, filename: `image.${mime.split('/')[1]?.replace(/\W.*/, '') || 'bin'}` }
}

async function loadImage(ctx: GlmContext, url: string): Promise<ImageFile> {
  const inline = decodeDataUrl(url)
  if (inline) return inline
  if (!/^https?:\/\//i.test(url)) throw invalidRequest(`${PROVIDER_ID}: unsupported image URL (use http(s) or data:)`)
  const res = await ctx.http.ok(url, { signal: ctx.signal })
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const c of res.body) {
    size += c.length
    if (size > MAX_IMAGE_BYTES) throw invalidRequest(`${PROVIDER_ID}: image larger than ${MAX_IMAGE_BYTES} bytes`)
    chunks.push(c)
  }
  const mime = (res.header('content-type') ?? 'image/png').split(';')[0]!.trim()
  const name = new URL(url).pathname.split('/').pop() || 'image'
  return { bytes: Buffer.concat(chunks), mime, filename: name }
}

export function multipartFile(file: ImageFile, boundary: string): Uint8Array {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename.replace(/"/g, '')}"\r\nContent-Type: ${file.mime}\r\n\r\n`
  return Buffer.concat([Buffer.from(head), file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)])
}

/** Upload one image; the result object goes into the message with `image_url` set. */
export async function uploadImage(ctx: GlmContext, tokens: GlmTokens, url: string): Promise<Record<string, unknown>> {
  const file = await loadImage(ctx, url)
  if (file.bytes.length > MAX_IMAGE_BYTES) throw invalidRequest(`${PROVIDER_ID}: image larger than ${MAX_IMAGE_BYTES} bytes`)
  const boundary = `----WebKitFormBoundary${randomBytes(8).toString('hex')}`
  const token = await tokens.accessToken(ctx)
  const res = await ctx.http.request(ctx.settings.base_url + PATHS.upload, {
    method: 'POST',
    body: multipartFile(file, boundary),
    headers: { ...glmHeaders(ctx, token), 'content-type': `multipart/form-data; boundary=${boundary}` },
    signal: ctx.signal,
  })
  const env = await readEnvelope(res)
  if (res.status >= 400 || !isSuccess(env)) throw classifyEnvelope(env, res.status)
  const result = env.result
  if (!result || typeof result.file_url !== 'string')
    throw protocolError(`${PROVIDER_ID}: file_upload answered without file_url`, { provider: PROVIDER_ID })
  return { ...result, image_url: result.file_url }
}
