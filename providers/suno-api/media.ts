// MediaRequest → the Suno-API music body, and a fetched task → a MediaSnapshot. Pure.
import { invalidRequest } from '../../src/kit/errors.js'
import { asObject } from '../../src/kit/json.js'
import type { MediaOutput, MediaRequest, MediaSnapshot } from '../../src/kit/types.js'
import { FAILURE, PROVIDER_ID, QUEUED, SUCCESS } from './constants.js'

/**
 * Two modes: custom (lyrics in `prompt`, with `tags` and `title`) when the caller gives lyrics,
 * tags or a title in `extra`; otherwise description mode, where the prompt becomes
 * gpt_description_prompt and Suno writes the lyrics.
 */
export function musicBody(mv: string, req: MediaRequest): Record<string, unknown> {
  const { lyrics, instrumental, ...extra } = req.extra
  const custom = typeof lyrics === 'string' || 'tags' in extra || 'title' in extra
  if (!req.prompt && !custom) throw invalidRequest(`${PROVIDER_ID}: a prompt is required`, { provider: PROVIDER_ID })
  const body: Record<string, unknown> = custom
    ? { prompt: typeof lyrics === 'string' ? lyrics : (req.prompt ?? ''), tags: '', title: '' }
    : { prompt: '', gpt_description_prompt: req.prompt }
  body.mv = mv
  body.make_instrumental = instrumental === true || extra.make_instrumental === true
  return { ...body, ...extra }
}

function clipOutputs(clips: unknown[]): { outputs: MediaOutput[]; seconds: number } {
  const outputs: MediaOutput[] = []
  let seconds = 0
  for (const c of clips) {
    const clip = asObject(c)
    if (typeof clip?.audio_url !== 'string' || !clip.audio_url) continue
    outputs.push({ kind: 'audio', url: clip.audio_url, mime: 'audio/mpeg' })
    seconds += Number(asObject(clip.metadata)?.duration) || 0
  }
  return { outputs, seconds }
}

/** A Task object from /suno/fetch → where it stands. */
export function snapshotOf(task: Record<string, unknown> | undefined): MediaSnapshot {
  if (!task) return { status: 'failed', error: `${PROVIDER_ID}: the task was not found` }
  const status = String(task.status ?? '')
  if (QUEUED.has(status)) return { status: 'queued' }
  if (status === FAILURE) return { status: 'failed', error: `${PROVIDER_ID}: ${String(task.fail_reason || 'the task failed')}` }
  if (status !== SUCCESS) return { status: 'in_progress' }
  const { outputs, seconds } = clipOutputs(Array.isArray(task.data) ? task.data : [])
  if (!outputs.length) return { status: 'failed', error: `${PROVIDER_ID}: the task succeeded but carries no audio` }
  return { status: 'completed', progress: 100, outputs, usage: seconds ? { seconds } : {} }
}
