// The fake chat.deepseek.com's file side: /file/upload_file (multipart, guarded by a PoW for that
// path and the web client's file headers) and /file/fetch_files (PENDING for a few polls, then final).
// The fetch_files answer shape ({files:[{id,status,...}]}) is not in the notes: an assumption.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readBody, sendJson } from '../helpers/fake-server.js'

export interface FakeFile {
  id: string
  owner: string
  filename: string
  bytes: number
  mime: string
  /** fetch_files answers PENDING this many more times. */
  pendingPolls: number
  finalStatus: 'SUCCESS' | 'FAILED'
}

export interface FileOptions {
  pendingPolls: number
  finalStatus: 'SUCCESS' | 'FAILED'
}

const ok = (bizData: unknown) => ({ code: 0, msg: '', data: { biz_code: 0, biz_msg: '', biz_data: bizData } })
const biz = (code: number, msg: string) => ({ code: 0, msg: '', data: { biz_code: code, biz_msg: msg, biz_data: null } })

/** The one `file` part of a multipart body, or a reason it is not there. */
function filePart(contentType: string, raw: Buffer): { filename: string; mime: string; data: Buffer } | string {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1]
  if (!contentType.startsWith('multipart/form-data') || !boundary) return 'not multipart'
  for (const part of raw.toString('latin1').split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n')
    if (split < 0) continue
    const head = part.slice(0, split)
    if (!/name="file"/.test(head)) continue
    const filename = /filename="([^"]*)"/.exec(head)?.[1] ?? ''
    const mime = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? ''
    return { filename, mime, data: Buffer.from(part.slice(split + 4).replace(/\r\n$/, ''), 'latin1') }
  }
  return 'no file part'
}

export async function uploadFile(
  req: IncomingMessage,
  res: ServerResponse,
  owner: string,
  files: Map<string, FakeFile>,
  options: FileOptions,
): Promise<void> {
  const h = req.headers
  const part = filePart(String(h['content-type'] ?? ''), await readBody(req))
  if (typeof part === 'string') return sendJson(res, 200, biz(40, `INVALID_FILE: ${part}`))
  if (h['x-file-size'] !== String(part.data.length)) return sendJson(res, 200, biz(41, 'FILE_SIZE_MISMATCH'))
  if (h['x-model-type'] !== 'vision' || !/^[01]$/.test(String(h['x-thinking-enabled']))) return sendJson(res, 200, biz(42, 'INVALID_FILE_HEADERS'))
  if (!part.mime.startsWith('image/')) return sendJson(res, 200, biz(43, 'UNSUPPORTED_FILE_TYPE'))
  const file: FakeFile = { id: `file-${randomUUID()}`, owner, filename: part.filename, bytes: part.data.length, mime: part.mime, ...options }
  files.set(file.id, file)
  sendJson(res, 200, ok({ id: file.id, filename: file.filename, bytes: file.bytes, status: 'PENDING' }))
}

export function fetchFiles(url: URL, res: ServerResponse, owner: string, files: Map<string, FakeFile>): void {
  const ids = (url.searchParams.get('file_ids') ?? '').split(',').filter(Boolean)
  const found = ids.map((id) => files.get(id)).filter((f): f is FakeFile => f?.owner === owner)
  const listed = found.map((f) => {
    const status = f.pendingPolls > 0 ? 'PENDING' : f.finalStatus
    f.pendingPolls--
    return { id: f.id, file_name: f.filename, file_size: f.bytes, status }
  })
  sendJson(res, 200, ok({ files: listed }))
}

/** Why a completion's ref_file_ids cannot be used, or undefined when they can. */
export function refFilesProblem(body: Record<string, unknown>, owner: string, files: Map<string, FakeFile>): string | undefined {
  const ids = body.ref_file_ids
  if (!Array.isArray(ids)) return 'ref_file_ids'
  if (!ids.length) return undefined
  if (body.model_type !== 'vision') return 'files need model_type vision'
  for (const id of ids) {
    const f = files.get(String(id))
    if (!f || f.owner !== owner || f.finalStatus !== 'SUCCESS') return `unknown file ${String(id)}`
  }
  return undefined
}
