// A fake of OpenAI's media routes on a compatible upstream: images (JSON generations, multipart
// edits), transcriptions (multipart), and video tasks (multipart create, GET to follow). It
// enforces Bearer auth and the forms' required parts as the real API does. Video tasks move one
// step per poll (queued → in_progress 50 → completed) unless `hold` keeps them where they are;
// a model named `*-fail` makes a task that fails.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { FakeUpstream, readBody, sendJson } from '../helpers/fake-server.js'

export const FAKE_PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
export const FAKE_MP4 = Buffer.from('000000186674797069736f6d0000020069736f6d', 'hex')

interface VideoTask {
  id: string
  model: string
  prompt: string
  seconds: string
  status: 'queued' | 'in_progress' | 'completed' | 'failed'
  progress: number
  hasReference: boolean
}

const invalid = (message: string, param: string | null = null) => ({ error: { message, type: 'invalid_request_error', param, code: null } })

export class FakeOpenAIMedia extends FakeUpstream {
  readonly keys = new Set(['sk-media'])
  /** Every accepted request: path and what it carried (fields, and file names with sizes). */
  readonly requests: { path: string; fields: Record<string, unknown> }[] = []
  readonly videos = new Map<string, VideoTask>()
  polls = 0
  /** While true, video tasks stay where they are (a relay restart happens meanwhile). */
  hold = false
  private counter = 0

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!
    if (req.method === 'GET' && path.startsWith('/files/')) {
      res.writeHead(200, { 'content-type': path.endsWith('.mp4') ? 'video/mp4' : 'image/png' })
      return void res.end(path.endsWith('.mp4') ? FAKE_MP4 : FAKE_PNG)
    }
    const auth = req.headers.authorization ?? ''
    if (!this.keys.has(auth.replace(/^Bearer /, ''))) {
      return void sendJson(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } })
    }
    const video = /^\/v1\/videos\/([^/]+)$/.exec(path)
    if (req.method === 'GET' && video) return this.follow(res, video[1]!)
    if (req.method !== 'POST') return void sendJson(res, 404, invalid(`no route ${req.method} ${path}`))
    const fields = await this.fields(req, res)
    if (!fields) return
    this.requests.push({ path, fields: describe(fields) })
    if (path === '/v1/images/generations') return this.generate(res, fields)
    if (path === '/v1/images/edits') return this.edit(res, fields)
    if (path === '/v1/audio/transcriptions') return this.transcribe(res, fields)
    if (path === '/v1/videos') return this.create(res, fields)
    sendJson(res, 404, invalid(`no route POST ${path}`))
  }

  /** JSON for generations, a form for the rest (the real API refuses JSON on the upload routes). */
  private async fields(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | undefined> {
    const type = req.headers['content-type'] ?? ''
    const raw = await readBody(req)
    if (req.url === '/v1/images/generations') {
      if (!type.startsWith('application/json')) return void sendJson(res, 400, invalid('expected a JSON body'))
      return JSON.parse(raw.toString('utf8'))
    }
    if (!type.startsWith('multipart/form-data')) return void sendJson(res, 400, invalid('expected multipart/form-data'))
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData()
    const out: Record<string, unknown> = {}
    for (const [k, v] of form) out[k] = out[k] === undefined ? v : [out[k], v].flat()
    return out
  }

  private generate(res: ServerResponse, f: Record<string, unknown>): void {
    if (typeof f.prompt !== 'string' || !f.prompt) return void sendJson(res, 400, invalid("'prompt' is required", 'prompt'))
    if (String(f.model).endsWith('-fail')) return void sendJson(res, 400, invalid('Your request was rejected by the safety system'))
    this.images(res, Number(f.n ?? 1), f.response_format === 'b64_json')
  }

  private edit(res: ServerResponse, f: Record<string, unknown>): void {
    const images = [f['image[]'] ?? f.image].flat().filter((x) => x instanceof File)
    if (!images.length) return void sendJson(res, 400, invalid("'image' is required", 'image'))
    if (typeof f.prompt !== 'string') return void sendJson(res, 400, invalid("'prompt' is required", 'prompt'))
    this.images(res, Number(f.n ?? 1), false)
  }

  private images(res: ServerResponse, n: number, b64: boolean): void {
    const data = Array.from({ length: n }, (_, i) => (b64 ? { b64_json: FAKE_PNG.toString('base64') } : { url: `${this.url}/files/img-${++this.counter}-${i}.png` }))
    sendJson(res, 200, { created: 1, data })
  }

  private async transcribe(res: ServerResponse, f: Record<string, unknown>): Promise<void> {
    if (!(f.file instanceof File)) return void sendJson(res, 400, invalid("'file' is required", 'file'))
    const size = (await f.file.arrayBuffer()).byteLength
    const text = `heard ${size} bytes${f.language ? ` in ${f.language}` : ''}${f.prompt ? ` about ${f.prompt}` : ''}`
    sendJson(res, 200, { text, usage: { type: 'tokens', input_tokens: 20, output_tokens: 5, total_tokens: 25 } })
  }

  private create(res: ServerResponse, f: Record<string, unknown>): void {
    if (typeof f.prompt !== 'string' || !f.prompt) return void sendJson(res, 400, invalid("'prompt' is required", 'prompt'))
    const id = `video_up${++this.counter}`
    const task: VideoTask = {
      id,
      model: String(f.model),
      prompt: f.prompt,
      seconds: String(f.seconds ?? '4'),
      status: 'queued',
      progress: 0,
      hasReference: f.input_reference instanceof File,
    }
    this.videos.set(id, task)
    sendJson(res, 200, this.object(task))
  }

  private follow(res: ServerResponse, id: string): void {
    const task = this.videos.get(id)
    if (!task) return void sendJson(res, 404, invalid(`Video ${id} not found`))
    this.polls++
    if (!this.hold && task.status === 'queued') Object.assign(task, { status: 'in_progress', progress: 50 })
    else if (!this.hold && task.status === 'in_progress') {
      Object.assign(task, task.model.endsWith('-fail') ? { status: 'failed' } : { status: 'completed', progress: 100 })
    }
    sendJson(res, 200, this.object(task))
  }

  private object(t: VideoTask) {
    return {
      id: t.id,
      object: 'video',
      model: t.model,
      status: t.status,
      progress: t.progress,
      seconds: t.seconds,
      ...(t.status === 'completed' ? { url: `${this.url}/files/${t.id}.mp4` } : {}),
      ...(t.status === 'failed' ? { error: { code: 'moderation_blocked', message: 'the video was blocked' } } : {}),
    }
  }
}

/** Fields for assertions: files as {file, size}. */
function describe(f: Record<string, unknown>): Record<string, unknown> {
  const one = (v: unknown) => (v instanceof File ? { file: v.name, type: v.type, size: v.size } : v)
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, Array.isArray(v) ? v.map(one) : one(v)]))
}
