// OpenAI's media routes on any compatible upstream: images (/images/generations, /images/edits)
// and transcriptions (/audio/transcriptions) answer at once; videos (/videos, as the official
// SDK sends it: a form) are upstream tasks polled with GET /videos/{id}. A model's `kind` in the
// instance's `models` list says which route serves it.
import { fileOf, formBody, type FormValue } from '../../src/kit/form.js'
import { protocolError } from '../../src/kit/errors.js'
import { asObject } from '../../src/kit/json.js'
import type { CallContext, MediaJob, MediaOutput, MediaRequest, MediaSnapshot, MediaStatus, MediaTaskRef } from '../../src/kit/types.js'

export interface MediaSettings {
  headers: Record<string, string>
  images_path: string
  edits_path: string
  transcriptions_path: string
  videos_path: string
}

type Ctx = CallContext<MediaSettings>

function auth(ctx: Ctx, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...ctx.settings.headers, ...extra }
  if (ctx.credential.secret) h.authorization = `Bearer ${ctx.credential.secret}`
  return h
}

async function postForm(ctx: Ctx, path: string, fields: Record<string, FormValue | FormValue[] | undefined>): Promise<unknown> {
  const { body, contentType } = formBody(fields)
  const res = await ctx.http.ok(ctx.settings.base_url + path, { body, headers: auth(ctx, { 'content-type': contentType }), signal: ctx.signal })
  return res.json()
}

/** Extra parameters go as they are; in a form, objects go as JSON text. */
const formExtra = (extra: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v)]))

function images(raw: unknown, name: string): MediaJob {
  const data = asObject(raw)?.data
  if (!Array.isArray(data)) throw protocolError(`${name} answered an image request without data`, { provider: name })
  const outputs: MediaOutput[] = data.map((d) => {
    const o = asObject(d) ?? {}
    if (typeof o.url === 'string') return { kind: 'image', url: o.url }
    if (typeof o.b64_json === 'string') return { kind: 'image', b64: o.b64_json, mime: 'image/png' }
    throw protocolError(`${name} answered an image without url or b64_json`, { provider: name })
  })
  return { status: 'completed', outputs, usage: { images: outputs.length } }
}

async function image(name: string, req: MediaRequest, ctx: Ctx): Promise<MediaJob> {
  const common = { model: req.model, prompt: req.prompt, n: req.n, size: req.size, quality: req.quality, user: req.user }
  if (!req.images?.length) {
    const json = { ...req.extra, ...common, ...(req.style ? { style: req.style } : {}) }
    return images(await ctx.http.json(ctx.settings.base_url + ctx.settings.images_path, { json, headers: auth(ctx), signal: ctx.signal }), name)
  }
  const files = await Promise.all(req.images.map((u, i) => fileOf(u, `image-${i}`, ctx.http, ctx.signal)))
  const mask = req.mask ? await fileOf(req.mask, 'mask', ctx.http, ctx.signal) : undefined
  const fields = { ...formExtra(req.extra), ...common, 'image[]': files, mask }
  return images(await postForm(ctx, ctx.settings.edits_path, fields), name)
}

async function transcribe(name: string, req: MediaRequest, ctx: Ctx): Promise<MediaJob> {
  if (!req.audio) throw protocolError('a transcription without audio reached the adapter', { provider: name })
  const file = await fileOf(req.audio, 'audio', ctx.http, ctx.signal)
  const fields = { ...formExtra(req.extra), model: req.model, file, language: req.language, prompt: req.instructions, response_format: 'json' }
  const body = asObject(await postForm(ctx, ctx.settings.transcriptions_path, fields))
  if (typeof body?.text !== 'string') throw protocolError(`${name} answered a transcription without text`, { provider: name })
  const usage = asObject(body.usage)
  const tokens = (k: string) => (typeof usage?.[k] === 'number' ? (usage[k] as number) : undefined)
  const seconds = typeof usage?.seconds === 'number' ? usage.seconds : undefined
  const promptTokens = tokens('input_tokens')
  const completionTokens = tokens('output_tokens')
  return {
    status: 'completed',
    text: body.text,
    usage: { ...(promptTokens === undefined ? {} : { promptTokens }), ...(completionTokens === undefined ? {} : { completionTokens }), ...(seconds ? { seconds } : {}) },
  }
}

const STATUS: Record<string, MediaStatus> = { queued: 'queued', in_progress: 'in_progress', processing: 'in_progress', completed: 'completed', failed: 'failed' }

/** A video object as a snapshot; a finished one without a link is fetched from /content. */
async function videoSnapshot(name: string, raw: unknown, ctx: Ctx): Promise<MediaSnapshot & { id: string }> {
  const v = asObject(raw)
  const status = STATUS[String(v?.status)]
  if (!v || typeof v.id !== 'string' || !status) throw protocolError(`${name} answered a video request without id or status`, { provider: name })
  const snap: MediaSnapshot & { id: string } = { id: v.id, status, ...(typeof v.progress === 'number' ? { progress: v.progress } : {}) }
  if (status === 'failed') snap.error = String(asObject(v.error)?.message ?? 'failed')
  if (status === 'completed') {
    const link = [v.url, v.video_url, asObject(v.output)?.url].find((u) => typeof u === 'string') as string | undefined
    snap.outputs = [link ? { kind: 'video', url: link } : await content(v.id, ctx)]
    if (Number(v.seconds) > 0) snap.usage = { seconds: Number(v.seconds) }
  }
  return snap
}

/** OpenAI serves a finished video only to the key that made it: the bytes are kept inline. */
async function content(id: string, ctx: Ctx): Promise<MediaOutput> {
  const res = await ctx.http.ok(`${ctx.settings.base_url}${ctx.settings.videos_path}/${encodeURIComponent(id)}/content`, {
    headers: auth(ctx, { accept: 'application/binary' }),
    signal: ctx.signal,
  })
  const chunks: Uint8Array[] = []
  for await (const c of res.body) chunks.push(c)
  return { kind: 'video', b64: Buffer.concat(chunks).toString('base64'), mime: res.header('content-type') ?? 'video/mp4' }
}

async function video(name: string, req: MediaRequest, ctx: Ctx): Promise<MediaJob> {
  const reference = req.images?.[0] ? await fileOf(req.images[0], 'reference', ctx.http, ctx.signal) : undefined
  const fields = { ...formExtra(req.extra), model: req.model, prompt: req.prompt, seconds: req.seconds, size: req.size, input_reference: reference }
  const snap = await videoSnapshot(name, await postForm(ctx, ctx.settings.videos_path, fields), ctx)
  const { id, ...rest } = snap
  return rest.status === 'completed' || rest.status === 'failed' ? rest : { ...rest, upstreamId: id }
}

export function submitMedia(name: string, req: MediaRequest, ctx: Ctx): Promise<MediaJob> {
  if (req.kind === 'image') return image(name, req, ctx)
  if (req.kind === 'transcription') return transcribe(name, req, ctx)
  return video(name, req, ctx)
}

export async function pollMedia(name: string, task: MediaTaskRef, ctx: Ctx): Promise<MediaSnapshot> {
  const url = `${ctx.settings.base_url}${ctx.settings.videos_path}/${encodeURIComponent(task.upstreamId)}`
  const { id: _id, ...snap } = await videoSnapshot(name, await ctx.http.json(url, { headers: auth(ctx), signal: ctx.signal }), ctx)
  return snap
}
