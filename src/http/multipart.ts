// multipart/form-data bodies (image edits, audio to transcribe, a video's reference image), read
// within server.upload_limit and parsed by the runtime's own form parser. Fields become strings
// (a name given more than once, or ending in [], becomes a list); files become Upload objects.
import { ApiError } from './errors.js'

/** Files and fields together, more than any media request sends. */
export const MAX_PARTS = 64

export class Upload {
  constructor(
    readonly filename: string,
    readonly type: string,
    readonly data: Buffer,
  ) {}

  /** As adapters take inputs: a data: URL (the type guessed from the name when the client sent none). */
  dataUrl(): string {
    return `data:${this.type || guessType(this.filename)};base64,${this.data.toString('base64')}`
  }
}

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  mp3: 'audio/mpeg',
  mpga: 'audio/mpeg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  webm: 'audio/webm',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
}

function guessType(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase() ?? ''
  return TYPES[ext] ?? 'application/octet-stream'
}

export const isMultipart = (contentType: string | undefined) => /^multipart\/form-data\s*;/i.test(contentType ?? '')

/** The form's fields and files as one object; 400 for a malformed form or too many parts. */
export async function parseMultipart(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
  let form: FormData
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData()
  } catch (err) {
    throw ApiError.badRequest(`request body is not a valid multipart form: ${(err as Error).message}`)
  }
  const out: Record<string, unknown> = {}
  let parts = 0
  for (const [name, value] of form) {
    if (++parts > MAX_PARTS) throw ApiError.badRequest(`a form may have at most ${MAX_PARTS} parts`)
    const item = typeof value === 'string' ? value : new Upload(value.name, value.type, Buffer.from(await value.arrayBuffer()))
    const seen = out[name]
    if (name.endsWith('[]')) out[name] = [...((seen as unknown[]) ?? []), item]
    else out[name] = seen === undefined ? item : [seen, item].flat()
  }
  return out
}
