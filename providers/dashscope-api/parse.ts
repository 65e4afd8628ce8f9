// DashScope answers → MediaJob / MediaSnapshot (pure).
import { protocolError } from '../../src/kit/errors.js'
import { isObject } from '../../src/kit/json.js'
import type { MediaJob, MediaKind, MediaOutput, MediaSnapshot, MediaStatus } from '../../src/kit/types.js'

interface WireResult {
  url?: unknown
  b64_image?: unknown
  code?: unknown
  message?: unknown
}
/** The `output` of every DashScope answer: task fields, or a multimodal generation's choices. */
interface WireOutput extends WireResult {
  task_id?: unknown
  task_status?: unknown
  video_url?: unknown
  results?: unknown
  choices?: { message?: { content?: unknown } }[]
}
type WireUsage = Record<string, unknown> & {
  input_tokens_details?: { text_tokens?: unknown }
  output_tokens_details?: { text_tokens?: unknown }
}
type Item = { image?: unknown; text?: unknown }

function outputOf(body: unknown, provider: string, what: string): WireOutput {
  if (!isObject(body) || !isObject(body.output)) throw protocolError(`${provider}: ${what} answered without an output object`, { provider })
  return body.output as WireOutput
}

const usageOf = (body: unknown): WireUsage => (isObject(body) && isObject(body.usage) ? (body.usage as WireUsage) : {})
const resultsOf = (o: WireOutput): WireResult[] => (Array.isArray(o.results) ? o.results.filter(isObject) : [])

/** The submit answer of an async service: the task to poll. */
export function parseSubmit(body: unknown, provider: string): MediaJob {
  const output = outputOf(body, provider, 'the task submission')
  if (typeof output.task_id !== 'string' || !output.task_id) throw protocolError(`${provider}: the task submission carried no task_id`, { provider })
  return { status: 'queued', progress: 0, upstreamId: output.task_id, state: {} }
}

const statuses: Record<string, MediaStatus> = { PENDING: 'queued', RUNNING: 'in_progress', SUCCEEDED: 'completed' }

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

/**
 * GET /api/v1/tasks/{id}. Image tasks list `results[].url` (with n > 1 a task succeeds when one
 * image did; failed entries carry code/message), video tasks `video_url`. FAILED, CANCELED and
 * UNKNOWN (an expired or unknown id) are final failures carrying the upstream's message.
 */
export function parseTask(body: unknown, kind: MediaKind, provider: string): MediaSnapshot {
  const output = outputOf(body, provider, 'the task query')
  const usage = usageOf(body)
  const raw = String(output.task_status ?? '')
  const status = statuses[raw]
  if (!status) return { status: 'failed', error: failureText(output, raw) }
  if (status !== 'completed') return { status, ...(status === 'in_progress' ? {} : { progress: 0 }) }
  const outputs: MediaOutput[] = []
  if (typeof output.video_url === 'string') outputs.push({ kind: 'video', url: output.video_url })
  for (const r of resultsOf(output)) {
    if (typeof r.url === 'string') outputs.push({ kind: 'image', url: r.url })
    else if (typeof r.b64_image === 'string') outputs.push({ kind: 'image', b64: r.b64_image, mime: 'image/png' })
  }
  if (!outputs.length) {
    const firstFailure = resultsOf(output).find((r) => r.message || r.code)
    return { status: 'failed', error: firstFailure ? failureText(firstFailure, raw) : `${raw} without a result` }
  }
  const seconds = num(usage.duration) ?? num(usage.video_duration)
  return {
    status: 'completed',
    progress: 100,
    outputs,
    usage: kind === 'video' ? { ...(seconds !== undefined ? { seconds } : {}) } : { images: num(usage.image_count) ?? outputs.length },
  }
}

function failureText(o: WireResult, status: string): string {
  const message = typeof o.message === 'string' && o.message ? o.message : undefined
  const code = typeof o.code === 'string' && o.code ? o.code : undefined
  if (message && code) return `${code}: ${message}`
  return message ?? code ?? `task ${status || 'in an unknown state'}`
}

/** The first choice's content items of a multimodal-generation answer. */
function contentItems(body: unknown, provider: string): Item[] {
  const output = outputOf(body, provider, 'multimodal generation')
  const content = output.choices?.[0]?.message?.content
  if (!Array.isArray(content)) throw protocolError(`${provider}: multimodal generation answered without message content`, { provider })
  return content.filter(isObject) as Item[]
}

/** Sync image edit: `content[].image` URLs. */
export function parseImageEdit(body: unknown, provider: string): MediaJob {
  const outputs = contentItems(body, provider)
    .flatMap((c): MediaOutput[] => (typeof c.image === 'string' ? [{ kind: 'image', url: c.image }] : []))
  if (!outputs.length) throw protocolError(`${provider}: the image edit answered without an image`, { provider })
  const usage = usageOf(body)
  return { status: 'completed', progress: 100, outputs, usage: { images: num(usage.image_count) ?? outputs.length } }
}

/** Sync qwen3-asr-flash: the text items joined; tokens and seconds for billing. */
export function parseAsr(body: unknown, provider: string): MediaJob {
  const text = contentItems(body, provider)
    .map((c) => (typeof c.text === 'string' ? c.text : ''))
    .join('')
  const usage = usageOf(body)
  const promptTokens = num(usage.input_tokens) ?? num(usage.input_tokens_details?.text_tokens)
  const completionTokens = num(usage.output_tokens) ?? num(usage.output_tokens_details?.text_tokens)
  const seconds = num(usage.seconds)
  return {
    status: 'completed',
    progress: 100,
    text,
    usage: {
      ...(promptTokens !== undefined ? { promptTokens } : {}),
      ...(completionTokens !== undefined ? { completionTokens } : {}),
      ...(seconds !== undefined ? { seconds } : {}),
    },
  }
}
