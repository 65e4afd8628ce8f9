// Vision input as the web client sends it: each image is uploaded to /file/upload_file (guarded by
// a proof of work for that path, with the file headers), the files are polled through
// /file/fetch_files until DeepSeek has processed them, and the completion names them in ref_file_ids.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { invalidRequest, protocolError } from '../../src/kit/errors.js'
import { isObject } from '../../src/kit/json.js'
import type { CallContext } from '../../src/kit/types.js'
import { loadImage, multipartFile } from '../../src/kit/upload.js'
import { type DeepseekSettings, callJson } from './client.js'
import { FILE_FAILED, FILE_READY, PATHS, POW_HEADER, PROVIDER_ID } from './constants.js'
import { withPow } from './pow-call.js'
import type { PowPool } from './pow-pool.js'

type Ctx = CallContext<DeepseekSettings>

export interface UploadTurn {
  token: string
  sessionId: string
  thinking: boolean
}

async function uploadOne(ctx: Ctx, pool: PowPool, turn: UploadTurn, url: string): Promise<string> {
  const image = await loadImage(ctx, url, PROVIDER_ID)
  // The site keeps the name it is given; a random one leaks nothing of the client's paths.
  const file = { ...image, filename: `${randomUUID()}.${image.mime.split('/')[1]?.replace(/\W.*/, '') || 'png'}` }
  const { body, contentType } = multipartFile(file)
  const envelope = await withPow(ctx, pool, turn.token, PATHS.uploadFile, turn.sessionId, (pow) =>
    callJson(ctx, PATHS.uploadFile, turn.token, undefined, {
      sessionId: turn.sessionId,
      body,
      headers: {
        'content-type': contentType,
        [POW_HEADER]: pow,
        'x-file-size': String(file.bytes.length),
        'x-model-type': 'vision',
        'x-thinking-enabled': turn.thinking ? '1' : '0',
      },
    }),
  )
  const id = (envelope.data?.biz_data as { id?: unknown } | undefined)?.id
  if (typeof id !== 'string' || !id) throw protocolError(`${PROVIDER_ID}: upload_file answered without a file id`, { provider: PROVIDER_ID })
  return id
}

/** fetch_files lists files as biz_data.files (or a bare list); each has id and status. */
function statusesOf(bizData: unknown): Map<string, string> {
  const list = isObject(bizData) && Array.isArray(bizData.files) ? bizData.files : Array.isArray(bizData) ? bizData : [bizData]
  const out = new Map<string, string>()
  for (const f of list) if (isObject(f) && typeof f.id === 'string') out.set(f.id, String(f.status ?? ''))
  return out
}

/** Poll until no file is pending. A peer sends anyway after a timeout, and so do we (with a warning). */
async function waitUntilProcessed(ctx: Ctx, turn: UploadTurn, ids: string[]): Promise<void> {
  const deadline = Date.now() + ctx.settings.upload_wait_ms
  let pending = ids
  for (;;) {
    const envelope = await callJson(ctx, `${PATHS.fetchFiles}?file_ids=${pending.map(encodeURIComponent).join(',')}`, turn.token, undefined, {
      sessionId: turn.sessionId,
    })
    const statuses = statusesOf(envelope.data?.biz_data)
    const failed = pending.find((id) => statuses.get(id) === FILE_FAILED)
    if (failed) throw invalidRequest(`${PROVIDER_ID}: DeepSeek could not process the uploaded image (${failed}: ${FILE_FAILED})`, { provider: PROVIDER_ID })
    pending = pending.filter((id) => statuses.get(id) !== FILE_READY)
    if (!pending.length) return
    if (Date.now() + ctx.settings.upload_poll_ms > deadline) {
      ctx.log.warn(`${PROVIDER_ID}: uploaded images still pending after ${ctx.settings.upload_wait_ms} ms; sending anyway`)
      return
    }
    await sleep(ctx.settings.upload_poll_ms, undefined, { signal: ctx.signal })
  }
}

/** Upload the images one by one (each with its own proof of work); their ids in order. */
export async function uploadImages(ctx: Ctx, pool: PowPool, turn: UploadTurn, urls: readonly string[]): Promise<string[]> {
  const ids: string[] = []
  for (const url of urls) ids.push(await uploadOne(ctx, pool, turn, url))
  if (ids.length) await waitUntilProcessed(ctx, turn, ids)
  return ids
}
