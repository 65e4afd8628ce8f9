// What the OpenAI media doors share: reading fields that may come as JSON or as a form, running a
// job to its end for the routes that answer when it is done, and the task as a video object.
import type { TaskRow } from '../../../db/tasks.repo.js'
import { ChatFailure, type ChatFailureKind } from '../../../core/chat/failure.js'
import type { TaskEngine } from '../../../core/tasks/engine.js'
import type { Logger } from '../../../kit/log.js'
import type { MediaOutput } from '../../../kit/types.js'
import { ApiError, toApiError } from '../../errors.js'
import { checkLimits } from '../../json-limits.js'
import { Upload } from '../../multipart.js'
import type { ErrorReply } from '../door.js'

export interface MediaDoorOptions {
  tasks: TaskEngine
  /** tasks.wait_ms: how long a route that answers when the job is done waits. */
  waitMs: number
  log: Logger
}

export const mediaError = (log: Logger) => (err: unknown): ErrorReply => {
  const api = toApiError(err, log)
  return { status: api.status, body: api.body() }
}

/** The body as an object: a JSON object, or a form's fields. */
export function fieldsOf(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw ApiError.badRequest('request body must be a JSON object or a form')
  return body as Record<string, unknown>
}

/** A text field; forms carry every value as a string, so numbers are read from strings too. */
export function text(f: Record<string, unknown>, name: string, required = false): string | undefined {
  const v = f[name]
  if (v === undefined || v === null || v === '') {
    if (required) throw ApiError.badRequest(`${name}: required`, name, 'missing_required_parameter')
    return undefined
  }
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  throw ApiError.badRequest(`${name}: expected a string`, name, 'invalid_value')
}

export function count(f: Record<string, unknown>, name: string, max: number): number | undefined {
  const raw = text(f, name)
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0 || n > max) throw ApiError.badRequest(`${name}: expected a number from 1 to ${max}`, name, 'invalid_value')
  return n
}

export function oneOf<T extends string>(f: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const v = text(f, name)
  if (v === undefined) return undefined
  if (!allowed.includes(v as T)) throw ApiError.badRequest(`${name}: expected one of ${allowed.join(', ')}`, name, 'invalid_value')
  return v as T
}

/** An image or audio input: an uploaded file, a URL, or `{image_url}` / `{url}` (OpenAI's JSON forms). */
export function inputUrl(v: unknown, name: string): string {
  if (v instanceof Upload) return v.dataUrl()
  if (typeof v === 'string' && /^(https?:|data:)/i.test(v)) return v
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>
    const url = o.image_url ?? o.url ?? o.file_url
    if (typeof url === 'string' && /^(https?:|data:)/i.test(url)) return url
  }
  throw ApiError.badRequest(`${name}: expected a file, an http(s) or data: URL, or {"image_url": "..."}`, name, 'invalid_value')
}

/** Parameters the door does not model go to the vendor as they are (forms: as strings). */
export function extraOf(f: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> {
  const extra: Record<string, unknown> = {}
  for (const k in f) if (!known.has(k) && !(f[k] instanceof Upload)) extra[k] = f[k]
  checkLimits(f, extra)
  return extra
}

/** A task's failure as the failure the client gets. */
export function failureOf(row: TaskRow): ChatFailure {
  return new ChatFailure((row.errorKind as ChatFailureKind) ?? 'unavailable', row.error ?? 'the task failed')
}

/** Wait for a task the route answers with; undefined when the client left first. */
export async function finished(o: MediaDoorOptions, row: TaskRow, signal: AbortSignal): Promise<TaskRow | undefined> {
  const done = row.status === 'completed' || row.status === 'failed' ? row : await o.tasks.wait(row.id, o.waitMs, signal)
  if (signal.aborted) return undefined
  if (done.status === 'failed') throw failureOf(done)
  if (done.status !== 'completed') {
    throw new ChatFailure('timeout', `the job is still running after ${o.waitMs} ms; follow it with GET /v1/videos/${row.id}`, {
      code: 'task_still_running',
    })
  }
  return done
}

export const outputsOf = (row: TaskRow) => (row.outputs ?? []) as MediaOutput[]

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000))

/** OpenAI's video object, plus where the result is (`url`, `outputs`) for clients that want the link. */
export function videoObject(row: TaskRow) {
  const req = row.request as { prompt?: string; seconds?: number; size?: string }
  const status = row.status === 'submitting' ? 'queued' : row.status
  const outputs = outputsOf(row).map((o) => ({ kind: o.kind, ...(o.url ? { url: o.url } : {}), ...(o.mime ? { mime: o.mime } : {}) }))
  return {
    id: row.id,
    object: 'video',
    model: row.model,
    status,
    progress: status === 'completed' ? 100 : row.progress,
    created_at: seconds(row.createdAt),
    completed_at: seconds(row.completedAt),
    expires_at: null,
    prompt: req.prompt ?? null,
    seconds: req.seconds === undefined ? null : String(req.seconds),
    size: req.size ?? null,
    remixed_from_video_id: null,
    error: row.status === 'failed' ? { code: row.errorKind ?? 'failed', message: row.error ?? 'the task failed' } : null,
    ...(outputs[0]?.url ? { url: outputs[0].url } : {}),
    ...(outputs.length ? { outputs } : {}),
    ...(row.text ? { text: row.text } : {}),
  }
}
