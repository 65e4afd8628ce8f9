// The task API on OpenAI's video routes: POST /v1/videos starts a video (or, with a music model,
// a song) and answers at once with the queued task; GET /v1/videos/{id} follows it,
// GET /v1/videos/{id}/content redirects to (or sends) the result, GET /v1/videos lists the
// caller's tasks. Another key's task is a 404, as a missing one.
import { Hono } from 'hono'
import type { TaskEngine } from '../../../core/tasks/engine.js'
import type { AppEnv } from '../../app-env.js'
import { ApiError } from '../../errors.js'
import type { Door, Prepared, Reply } from '../door.js'
import { type MediaDoorOptions, count, extraOf, fieldsOf, inputUrl, mediaError, outputsOf, text, videoObject } from './common.js'

const KNOWN = new Set(['model', 'prompt', 'seconds', 'size', 'input_reference', 'last_frame', 'negative_prompt', 'user'])

async function create(o: MediaDoorOptions, req: Prepared, signal: AbortSignal): Promise<Reply> {
  const f = fieldsOf(req.body)
  const seconds = count(f, 'seconds', 600)
  const size = text(f, 'size')
  const negative = text(f, 'negative_prompt')
  const row = await o.tasks.submit({
    requestId: req.requestId,
    clientRequestId: req.clientRequestId,
    caller: req.caller,
    model: text(f, 'model', true)!,
    kinds: ['video', 'music'],
    request: {
      prompt: text(f, 'prompt', true)!,
      ...(f.input_reference === undefined ? {} : { images: [inputUrl(f.input_reference, 'input_reference')] }),
      ...(f.last_frame === undefined ? {} : { lastFrame: inputUrl(f.last_frame, 'last_frame') }),
      ...(negative ? { negativePrompt: negative } : {}),
      ...(seconds ? { seconds } : {}),
      ...(size ? { size } : {}),
      extra: extraOf(f, KNOWN),
    },
    signal,
  })
  return { kind: 'json', status: 200, body: videoObject(row) }
}

export function videoDoor(o: MediaDoorOptions): Door {
  return { path: '/v1/videos', prefixed: true, multipart: true, handle: (req, signal) => create(o, req, signal), error: mediaError(o.log) }
}

/** The GET routes, on the OpenAI sub-app (client auth already ran). */
export function videoRoutes(tasks: TaskEngine) {
  const app = new Hono<AppEnv>()
  const own = async (id: string, c: { get(k: 'client'): AppEnv['Variables']['client'] }) => {
    const row = await tasks.get(id, c.get('client'))
    if (!row) throw ApiError.notFound(`No video found with id '${id}'`, 'video_not_found')
    return row
  }
  app.get('/videos', async (c) => {
    const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? 20) || 20))
    const after = c.req.query('after')
    const before = after ? (await tasks.get(after, c.get('client')))?.createdAt : undefined
    const rows = await tasks.list(c.get('client'), limit + 1, before)
    const data = rows.slice(0, limit).map(videoObject)
    return c.json({ object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: rows.length > limit })
  })
  app.get('/videos/:id', async (c) => c.json(videoObject(await own(c.req.param('id'), c))))
  app.get('/videos/:id/content', async (c) => {
    const row = await own(c.req.param('id'), c)
    if (row.status !== 'completed') throw new ApiError(409, `video ${row.id} is ${row.status}, not completed`, 'invalid_request_error', 'video_not_ready')
    const out = outputsOf(row)[0]
    if (out?.url && /^https?:/i.test(out.url)) return c.redirect(out.url, 302)
    const inline = out?.b64 ?? /^data:[^;,]*;base64,(.*)$/s.exec(out?.url ?? '')?.[1]
    if (!inline) throw ApiError.notFound(`video ${row.id} has no content to send`, 'video_not_found')
    return c.body(Buffer.from(inline, 'base64'), 200, { 'Content-Type': out?.mime ?? 'application/octet-stream' })
  })
  return app
}
