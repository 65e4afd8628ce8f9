// multipart/form-data request bodies for upstreams that take uploads (OpenAI's image edits and
// transcriptions, vendors' upload endpoints), and the bytes behind an input URL.
import { randomBytes } from 'node:crypto'
import { invalidRequest } from './errors.js'
import type { HttpClient } from './http.js'

export interface FormFile {
  filename: string
  type: string
  data: Uint8Array
}

export type FormValue = string | number | FormFile

/** Encode fields and files; a list value repeats the name (as `image[]` expects). */
export function formBody(fields: Record<string, FormValue | FormValue[] | undefined>): { body: Uint8Array; contentType: string } {
  const boundary = `----freeway${randomBytes(12).toString('hex')}`
  const parts: Buffer[] = []
  const quote = (s: string) => s.replace(/["\r\n]/g, '_')
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'object') {
        const head = `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"; filename="${quote(v.filename)}"\r\nContent-Type: ${v.type}\r\n\r\n`
        parts.push(Buffer.from(head), Buffer.from(v.data), Buffer.from('\r\n'))
      } else parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${v}\r\n`))
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'audio/mpeg': 'mp3', 'audio/wav': 'wav' }

/** The file behind an input (a data: URL decoded, an http(s) URL fetched), named `stem.ext`. */
export async function fileOf(url: string, stem: string, http: HttpClient, signal: AbortSignal): Promise<FormFile> {
  const inline = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url)
  if (inline) {
    const type = inline[1] || 'application/octet-stream'
    const data = inline[2] ? Buffer.from(inline[3]!, 'base64') : Buffer.from(decodeURIComponent(inline[3]!))
    return { filename: `${stem}.${EXT[type] ?? 'bin'}`, type, data }
  }
  if (!/^https?:/i.test(url)) throw invalidRequest(`not an http(s) or data: URL: ${url.slice(0, 80)}`)
  const res = await http.ok(url, { signal })
  const chunks: Uint8Array[] = []
  for await (const c of res.body) chunks.push(c)
  const type = (res.header('content-type') ?? 'application/octet-stream').split(';')[0]!.trim()
  const name = new URL(url).pathname.split('/').pop() || `${stem}.${EXT[type] ?? 'bin'}`
  return { filename: name, type, data: Buffer.concat(chunks) }
}
