// POST /v1/audio/transcriptions: a form with the audio `file`, or JSON with `file_url`; answers
// when the text is ready, as json ({text}), text, or verbose_json.
import { ApiError } from '../../errors.js'
import type { Door, Prepared, Reply } from '../door.js'
import { type MediaDoorOptions, extraOf, fieldsOf, finished, inputUrl, mediaError, oneOf, text } from './common.js'

const KNOWN = new Set(['model', 'file', 'file_url', 'language', 'prompt', 'response_format', 'temperature', 'user'])

async function handle(o: MediaDoorOptions, req: Prepared, signal: AbortSignal): Promise<Reply> {
  const f = fieldsOf(req.body)
  const source = f.file ?? f.file_url
  if (source === undefined) throw ApiError.badRequest('file: required (a file in a form, or file_url in JSON)', 'file', 'missing_required_parameter')
  const format = oneOf(f, 'response_format', ['json', 'text', 'verbose_json'] as const) ?? 'json'
  const language = text(f, 'language')
  const prompt = text(f, 'prompt')
  const row = await o.tasks.submit({
    requestId: req.requestId,
    clientRequestId: req.clientRequestId,
    caller: req.caller,
    model: text(f, 'model', true)!,
    kinds: ['transcription'],
    request: {
      audio: inputUrl(source, 'file'),
      ...(language ? { language } : {}),
      ...(prompt ? { instructions: prompt } : {}),
      extra: extraOf(f, KNOWN),
    },
    signal,
  })
  const done = await finished(o, row, signal)
  if (!done) return { kind: 'closed' }
  const said = done.text ?? ''
  if (format === 'text') return { kind: 'text', status: 200, type: 'text/plain; charset=utf-8', body: said }
  const usage = done.usage as { promptTokens?: number; completionTokens?: number; seconds?: number } | null
  const tokens = usage?.promptTokens || usage?.completionTokens
  const body: Record<string, unknown> = { text: said }
  if (tokens) {
    const input = usage?.promptTokens ?? 0
    const output = usage?.completionTokens ?? 0
    body.usage = { type: 'tokens', input_tokens: input, output_tokens: output, total_tokens: input + output }
  }
  if (format === 'verbose_json') Object.assign(body, { task: 'transcribe', language: language ?? null, duration: usage?.seconds ?? null, segments: [] })
  return { kind: 'json', status: 200, body }
}

export function transcriptionDoor(o: MediaDoorOptions): Door {
  return { path: '/v1/audio/transcriptions', prefixed: true, multipart: true, handle: (req, signal) => handle(o, req, signal), error: mediaError(o.log) }
}
