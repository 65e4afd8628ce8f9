// A fake Kling API: every call needs a Bearer JWT (HS256) whose iss is a known access key, signed
// with its secret key, inside its nbf/exp window and living no longer than 30 minutes. Tasks go
// submitted → processing → succeed. Prompts steer failures: "busy" (429, 1302), "arrears" (429,
// 1101), "policy" (400, 1301), "fail-task" (the task fails with a task_status_msg).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { errors, jwtVerify } from 'jose'
import { FakeUpstream, readJson, sendJson } from '../helpers/fake-server.js'

export const KLING_AK = 'kling-fake-ak'
export const KLING_SK = 'kling-fake-sk'
export const KLING_SECRET = `${KLING_AK}:${KLING_SK}`
export const KLING_VIDEO_URL = 'https://cdn.example/kling/video.mp4'
const MODELS = new Set(['kling-v1', 'kling-v1-5', 'kling-v1-6', 'kling-v2-master', 'kling-v2-1', 'kling-v2-1-master', 'kling-v2-5-turbo', 'kling-v2-6', 'kling-v3'])

interface Task {
  kind: string
  prompt: string
  duration: string
  polls: number
}

export interface KlingRequest {
  method: string
  path: string
  body: Record<string, unknown>
  claims: Record<string, unknown>
}

export class FakeKling extends FakeUpstream {
  readonly requests: KlingRequest[] = []
  readonly tasks = new Map<string, Task>()
  private next = 1

  private fail(res: ServerResponse, status: number, code: number, message: string) {
    sendJson(res, status, { code, message, request_id: 'fake-req' })
  }

  /** The token's claims, or the error code Kling answers a bad token with. */
  private async verify(req: IncomingMessage): Promise<Record<string, unknown> | number> {
    const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))
    if (!m) return 1001
    try {
      const { payload, protectedHeader } = await jwtVerify(m[1]!, new TextEncoder().encode(KLING_SK), { algorithms: ['HS256'], issuer: KLING_AK })
      if (protectedHeader.typ !== 'JWT' || typeof payload.exp !== 'number' || typeof payload.nbf !== 'number') return 1002
      if (payload.exp - Date.now() / 1000 > 1800 + 60) return 1002
      return payload as Record<string, unknown>
    } catch (err) {
      if (err instanceof errors.JWTExpired) return 1004
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') return 1003
      return 1002
    }
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const claims = await this.verify(req)
    if (typeof claims === 'number') return this.fail(res, 401, claims, claims === 1004 ? 'token expired' : 'Authorization failed')
    const url = new URL(req.url ?? '/', 'http://fake')
    const body = req.method === 'POST' ? await readJson(req) : {}
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, body, claims })
    const create = /^\/v1\/videos\/(text2video|image2video|omni-video)$/.exec(url.pathname)
    if (create && req.method === 'POST') return this.create(create[1]!, body, res)
    const query = /^\/v1\/videos\/(text2video|image2video|omni-video)\/([^/]+)$/.exec(url.pathname)
    if (query && req.method === 'GET') return this.query(query[1]!, decodeURIComponent(query[2]!), res)
    return this.fail(res, 404, 1203, 'not found')
  }

  private invalid(kind: string, b: Record<string, unknown>): string | undefined {
    const model = String(b.model_name ?? '')
    if (kind === 'omni-video' ? model !== 'kling-video-o1' : !MODELS.has(model)) return `model_name ${model} is not supported here`
    if (typeof b.duration !== 'string') return 'duration must be a string'
    const images = kind === 'image2video' ? [b.image, b.image_tail] : ((b.image_list as { image_url?: unknown }[] | undefined) ?? []).map((i) => i.image_url)
    if (kind === 'image2video' && typeof b.image !== 'string') return 'image is required'
    if (images.some((i) => typeof i === 'string' && i.startsWith('data:'))) return 'image must be a URL or raw base64 (no data: prefix)'
    if (kind === 'image2video' && b.image_tail && b.camera_control) return 'image_tail and camera_control cannot be used together'
    return undefined
  }

  private create(kind: string, b: Record<string, unknown>, res: ServerResponse) {
    const prompt = String(b.prompt ?? '')
    const wrong = this.invalid(kind, b)
    if (wrong) return this.fail(res, 400, 1201, wrong)
    if (prompt.includes('busy')) return this.fail(res, 429, 1302, 'API request too fast, please slow down')
    if (prompt.includes('arrears')) return this.fail(res, 429, 1101, 'Account in arrears')
    if (prompt.includes('policy')) return this.fail(res, 400, 1301, 'The content is not allowed by policy')
    const id = String(867283741759111200 + this.next++)
    this.tasks.set(id, { kind, prompt, duration: String(b.duration), polls: 0 })
    const now = Date.now()
    sendJson(res, 200, { code: 0, message: 'SUCCEED', request_id: 'fake-req', data: { task_id: id, task_status: 'submitted', task_info: {}, created_at: now, updated_at: now } })
  }

  private query(kind: string, id: string, res: ServerResponse) {
    const task = this.tasks.get(id)
    if (!task || task.kind !== kind) return this.fail(res, 404, 1203, 'task not found')
    task.polls++
    const data: Record<string, unknown> = { task_id: id, task_status: 'processing', created_at: Date.now(), updated_at: Date.now() }
    if (task.polls >= 2 && task.prompt.includes('fail-task')) Object.assign(data, { task_status: 'failed', task_status_msg: 'Generation failed: content risk' })
    else if (task.polls >= 2) Object.assign(data, { task_status: 'succeed', task_result: { videos: [{ id: 'v1', url: KLING_VIDEO_URL, duration: `${task.duration}.1` }] } })
    sendJson(res, 200, { code: 0, message: 'SUCCEED', request_id: 'fake-req', data })
  }
}

export const startFakeKling = () => new FakeKling().start()
