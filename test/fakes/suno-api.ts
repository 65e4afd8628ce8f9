// A fake Suno-API service: Bearer SECRET_TOKEN auth, the ginplus envelope ({code:"success",
// message, data}), music tasks SUBMITTED → IN_PROGRESS → SUCCESS with two clips. Prompts steer
// failures: "busy" (HTTP 429), "fail-task" (FAILURE with a fail_reason).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { FakeUpstream, readJson, sendJson } from '../helpers/fake-server.js'

export const SUNO_TOKEN = 'suno-fake-secret-token'
export const SUNO_AUDIO_URLS = ['https://cdn.example/suno/clip-a.mp3', 'https://cdn.example/suno/clip-b.mp3']

interface Task {
  body: Record<string, unknown>
  polls: number
  submitTime: number
}

export class FakeSuno extends FakeUpstream {
  readonly requests: { method: string; path: string; body: Record<string, unknown> }[] = []
  readonly tasks = new Map<string, Task>()
  private next = 1

  private error(res: ServerResponse, status: number, code: string, message: string) {
    sendJson(res, status, { code, message, data: null })
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== `Bearer ${SUNO_TOKEN}`) return this.error(res, 401, 'unauthorized', 'invalid or missing token')
    const url = new URL(req.url ?? '/', 'http://fake')
    const body = req.method === 'POST' ? await readJson(req) : {}
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, body })
    const submit = /^\/suno\/submit\/([a-z]+)$/i.exec(url.pathname)
    if (submit && req.method === 'POST') return this.submit(submit[1]!.toUpperCase(), body, res)
    const fetchOne = /^\/suno\/fetch\/([^/]+)$/.exec(url.pathname)
    if (fetchOne && req.method === 'GET') return sendJson(res, 200, { code: 'success', message: '', data: this.view(decodeURIComponent(fetchOne[1]!)) })
    if (url.pathname === '/suno/account' && req.method === 'GET')
      return sendJson(res, 200, { code: 'success', message: '', data: { credits_left: 2450, period: 'month', monthly_limit: 2500, monthly_usage: 50 } })
    if (url.pathname === '/suno/fetch' && req.method === 'POST') {
      const ids = Array.isArray(body.ids) ? body.ids.map(String) : []
      return sendJson(res, 200, { code: 'success', message: '', data: ids.map((id) => this.view(id)).filter(Boolean) })
    }
    return this.error(res, 404, 'invalid_request', 'not found')
  }

  private submit(action: string, b: Record<string, unknown>, res: ServerResponse) {
    if (action !== 'MUSIC') return this.error(res, 400, 'invalid_request', `unsupported action ${action}`)
    if (typeof b.mv !== 'string' || typeof b.prompt !== 'string') return this.error(res, 400, 'invalid_request', 'mv and prompt are required')
    if (!b.prompt && !b.gpt_description_prompt) return this.error(res, 400, 'invalid_request', 'prompt or gpt_description_prompt is required')
    if (b.continue_clip_id && !b.task_id) return this.error(res, 400, 'invalid_request', 'task_id is required with continue_clip_id')
    const text = String(b.gpt_description_prompt ?? b.prompt)
    if (text.includes('busy')) return this.error(res, 429, 'internal_error', 'too many requests')
    const id = `suno-task-${this.next++}`
    this.tasks.set(id, { body: b, polls: 0, submitTime: Math.floor(Date.now() / 1000) })
    sendJson(res, 200, { code: 'success', message: '', data: id })
  }

  private view(id: string): Record<string, unknown> | null {
    const task = this.tasks.get(id)
    if (!task) return null
    task.polls++
    const failed = String(task.body.gpt_description_prompt ?? task.body.prompt).includes('fail-task')
    const status = task.polls === 1 ? 'SUBMITTED' : task.polls === 2 ? 'IN_PROGRESS' : failed ? 'FAILURE' : 'SUCCESS'
    const done = status === 'SUCCESS'
    const clips = SUNO_AUDIO_URLS.map((url, i) => ({
      id: `clip-${i}`,
      audio_url: done ? url : '',
      image_url: 'https://cdn.example/suno/cover.png',
      status: done ? 'complete' : 'streaming',
      title: String(task.body.title ?? ''),
      model_name: task.body.mv,
      metadata: { tags: task.body.tags ?? '', prompt: task.body.prompt, duration: done ? 120.5 : null },
    }))
    return {
      task_id: id,
      action: 'MUSIC',
      status,
      fail_reason: status === 'FAILURE' ? 'content violates the policy' : '',
      submit_time: task.submitTime,
      start_time: task.submitTime,
      finish_time: done ? task.submitTime + 60 : 0,
      data: status === 'SUBMITTED' ? [] : clips,
    }
  }
}

export const startFakeSuno = () => new FakeSuno().start()
