// Image parts for upstreams that take files rather than URLs: read the bytes (a data: URL decoded,
// an http(s) URL fetched with a size cap) and wrap them as one multipart/form-data file field.
import { randomBytes } from 'node:crypto'
import { invalidRequest } from './errors.js'
import type { HttpClient } from './http.js'

export const MAX_IMAGE_BYTES = 20 * 1024 * 1024

export interface ImageFile {
  bytes: Uint8Array
  mime: string
  filename: string
}

const extensionOf = (mime: string) => mime.split('/')[1]?.replace(/\W.*/, '') || 'bin'

/** Decode `data:image/png;base64,...`; undefined for any other URL. */
export function decodeDataUrl(url: string): ImageFile | undefined {
  const m = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url)
  if (!m) return undefined
  const mime = m[1] ?? 'application/octet-stream'
  const bytes = m[2] ? Buffer.from(m[3]!, 'base64') : Buffer.from(decodeURIComponent(m[3]!), 'utf8')
  return { bytes, mime, filename: `image.${extensionOf(mime)}` }
}

/** The image behind a data: or http(s) URL; larger than `maxBytes` is the client's fault. */
export async function loadImage(
  io: { http: HttpClient; signal: AbortSignal },
  url: string,
  provider: string,
  maxBytes = MAX_IMAGE_BYTES,
): Promise<ImageFile> {
  const tooLarge = () => invalidRequest(`${provider}: image larger than ${maxBytes} bytes`, { provider })
  const inline = decodeDataUrl(url)
  if (inline) {
    if (inline.bytes.length > maxBytes) throw tooLarge()
    return inline
  }
  if (!/^https?:\/\//i.test(url)) throw invalidRequest(`${provider}: unsupported image URL (use http(s) or data:)`, { provider })
  const res = await io.http.ok(url, { signal: io.signal })
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const c of res.body) {
    size += c.length
    if (size > maxBytes) throw tooLarge()
    chunks.push(c)
  }
  const mime = (res.header('content-type') ?? 'image/png').split(';')[0]!.trim()
  const name = new URL(url).pathname.split('/').pop() || `image.${extensionOf(mime)}`
  return { bytes: Buffer.concat(chunks), mime, filename: name }
}

/** One file field as a multipart body, with the content type that names its boundary. */
export function multipartFile(file: ImageFile, field = 'file'): { body: Uint8Array; contentType: string } {
  const boundary = `----WebKitFormBoundary${randomBytes(8).toString('hex')}`
  const name = file.filename.replace(/["\r\n]/g, '')
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: ${file.mime}\r\n\r\n`
  const body = Buffer.concat([Buffer.from(head), file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)])
  return { body, contentType: `multipart/form-data; boundary=${boundary}` }
}
