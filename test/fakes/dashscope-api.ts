// A fake DashScope. It enforces Bearer auth, the X-DashScope-Async header on the async-only
// services (and its absence on the sync one), the body rules of each service and the task protocol:
// a task is PENDING, then RUNNING, then SUCCEEDED (or FAILED when the prompt asks), one step per
// poll, and only the key that submitted it can see it. Compatible mode answers OpenAI-shaped chat.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type RunningServer, readJson, sendJson, startServer } from '../helpers/fake-server.js'
import { answerChat, imageUrlsIn } from './openai-chat-answer.js'

export const DASHSCOPE_KEY = 'sk-dashscope-good-0001'
/** A valid key whose account is rate limited. */
export const DASHSCOPE_LIMITED_KEY = 'sk-dashscope-limited-0002'
/** A valid key whose account is in arrears (DashScope answers 400 Arrearage). */
export const DASHSCOPE_ARREARS_KEY = 'sk-dashscope-arrears-0003'
export const CHAT_PARTS = ['通义', '千问', '在此。']
export const TRANSCRIPT = '今天天气很好。'
/** A prompt containing this makes the task fail with DataInspectionFailed. */
export const FAIL_PROMPT = 'FAIL'

type Obj = Record<string, any>

export interface FakeDashScope extends RunningServer {
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: Obj }[]
  tasks: Map<string, { key: string; kind: 'image' | 'video'; body: Obj; polls: number }>
}

const T2I = new Set(['qwen-image', 'qwen-image-plus', 'wan2.5-t2i-preview', 'wanx2.1-t2i-turbo'])
const I2I = new Set(['wan2.5-i2i-preview'])
const EDIT = new Set(['qwen-image-edit', 'qwen-image-edit-plus'])
const SIZE = /^\d{3,4}\*\d{3,4}$/

const err = (res: ServerResponse, status: number, code: string, message: string) => sendJson(res, status, { code, message, request_id: 'req-fake' })
const oaiErr = (res: ServerResponse, status: number, code: string, message: string) =>
  sendJson(res, status, { error: { code, param: null, message, type: code }, request_id: 'req-fake' })

export async function startFakeDashScope(): Promise<FakeDashScope> {
  const requests: FakeDashScope['requests'] = []
  const tasks: FakeDashScope['tasks'] = new Map()
  let next = 1

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0]!
    const body = req.method === 'POST' ? await readJson<Obj>(req) : {}
    requests.push({ method: req.method ?? '', path, headers: req.headers, body })
    const compat = path.startsWith('/compatible-mode/')
    const fail = compat ? oaiErr : err
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (key !== DASHSCOPE_KEY && key !== DASHSCOPE_LIMITED_KEY && key !== DASHSCOPE_ARREARS_KEY)
      return fail(res, 401, compat ? 'invalid_api_key' : 'InvalidApiKey', 'Invalid API-key provided.')
    if (key === DASHSCOPE_LIMITED_KEY) return fail(res, 429, 'Throttling.RateQuota', 'Requests rate limit exceeded, please try again later.')
    if (key === DASHSCOPE_ARREARS_KEY) return fail(res, 400, 'Arrearage', 'Access denied, please make sure your account is in good standing.')
    const isAsync = req.headers['x-dashscope-async'] === 'enable'

    if (path === '/compatible-mode/v1/models' && req.method === 'GET') return sendJson(res, 200, { object: 'list', data: [{ id: 'qwen-plus', object: 'model' }] })
    if (path === '/compatible-mode/v1/chat/completions' && req.method === 'POST') {
      if (typeof body.model !== 'string' || !Array.isArray(body.messages) || !body.messages.length)
        return oaiErr(res, 400, 'invalid_parameter_error', 'model and messages are required')
      const images = imageUrlsIn(body.messages)
      if (images.length && !body.model.includes('-vl-')) return oaiErr(res, 400, 'invalid_parameter_error', `${body.model} does not accept images`)
      const parts = images.length ? [`看到 ${images.length} 张图片：`, images.map((u) => u.slice(0, 30)).join(', ')] : CHAT_PARTS
      return answerChat(res, body, { model: body.model, parts, usage: { prompt_tokens: 12 + images.length * 100, completion_tokens: 6 } })
    }

    const service = { '/api/v1/services/aigc/text2image/image-synthesis': 't2i', '/api/v1/services/aigc/image2image/image-synthesis': 'i2i', '/api/v1/services/aigc/video-generation/video-synthesis': 'video' }[path]
    if (service && req.method === 'POST') {
      if (!isAsync) return err(res, 403, 'AccessDenied', 'current user api does not support synchronous calls')
      const problem = validateAsync(service, body)
      if (problem) return err(res, 400, 'InvalidParameter', problem)
      const id = `task-${next++}`
      tasks.set(id, { key, kind: service === 'video' ? 'video' : 'image', body, polls: 0 })
      return sendJson(res, 200, { output: { task_status: 'PENDING', task_id: id }, request_id: 'req-fake' })
    }
    if (path === '/api/v1/services/aigc/multimodal-generation/generation' && req.method === 'POST') {
      if (isAsync) return err(res, 403, 'AccessDenied', 'current user api does not support asynchronous calls')
      return multimodal(res, body)
    }
    const taskId = /^\/api\/v1\/tasks\/([^/]+)$/.exec(path)?.[1]
    if (taskId && req.method === 'GET') {
      const task = tasks.get(decodeURIComponent(taskId))
      if (!task || task.key !== key) return sendJson(res, 200, { request_id: 'req-fake', output: { task_id: taskId, task_status: 'UNKNOWN' } })
      return sendJson(res, 200, taskBody(taskId, task))
    }
    return err(res, 404, 'NotFound', `no route ${req.method} ${path}`)
  }

  const server = await startServer(handle)
  return Object.assign(server, { requests, tasks })
}

function validateAsync(service: string, body: Obj): string | undefined {
  const { model, input, parameters = {} } = body
  if (typeof input?.prompt !== 'string' || !input.prompt) return 'input.prompt is required'
  if (parameters.size !== undefined && !SIZE.test(parameters.size)) return `size must look like 1328*1328, got ${parameters.size}`
  if (service === 't2i' && !T2I.has(model)) return `Model not exist: ${model}`
  if (service === 'i2i' && (!I2I.has(model) || !Array.isArray(input.images) || !input.images.length || input.images.length > 3))
    return 'wan2.5-i2i-preview takes input.images (1 to 3)'
  if (service === 'video') {
    if (!/^wan/.test(String(model))) return `Model not exist: ${model}`
    if (String(model).includes('i2v') && typeof input.img_url !== 'string') return 'input.img_url is required for image-to-video'
    if (parameters.duration !== undefined && ![5, 10].includes(parameters.duration)) return 'duration must be 5 or 10'
  }
  return undefined
}

function multimodal(res: ServerResponse, body: Obj) {
  const messages: Obj[] = body.input?.messages ?? []
  const user = messages.find((m) => m.role === 'user')?.content ?? []
  if (EDIT.has(body.model)) {
    const texts = user.filter((c: Obj) => 'text' in c)
    const images = user.filter((c: Obj) => typeof c.image === 'string')
    if (texts.length !== 1 || !images.length || images.length > 3) return err(res, 400, 'InvalidParameter', 'exactly one text item and 1 to 3 images are required')
    const n = body.parameters?.n ?? 1
    const content = Array.from({ length: n }, (_, i) => ({ image: `https://dashscope-result.example/edit-${i}.png` }))
    return sendJson(res, 200, { output: { choices: [{ finish_reason: 'stop', message: { role: 'assistant', content } }] }, usage: { width: 1024, height: 1024, image_count: n }, request_id: 'req-fake' })
  }
  if (body.model === 'qwen3-asr-flash') {
    const audio = user.find((c: Obj) => typeof c.audio === 'string')?.audio
    if (!audio) return err(res, 400, 'InvalidParameter', 'an audio item is required')
    const message = { role: 'assistant', annotations: [{ type: 'audio_info', language: body.parameters?.asr_options?.language ?? 'zh', emotion: 'neutral' }], content: [{ text: TRANSCRIPT }] }
    return sendJson(res, 200, {
      request_id: 'req-fake',
      output: { choices: [{ finish_reason: 'stop', message }] },
      usage: { input_tokens_details: { text_tokens: 0 }, output_tokens_details: { text_tokens: 6 }, seconds: 3 },
    })
  }
  return err(res, 400, 'InvalidParameter', `Model not exist: ${body.model}`)
}

function taskBody(id: string, task: { kind: 'image' | 'video'; body: Obj; polls: number }): Obj {
  task.polls++
  const times = { submit_time: '2026-12-04 11:38:54.741', scheduled_time: '2026-12-04 11:38:55.002' }
  if (task.polls === 1) return { request_id: 'req-fake', output: { task_id: id, task_status: 'PENDING', ...times } }
  if (task.polls === 2) return { request_id: 'req-fake', output: { task_id: id, task_status: 'RUNNING', ...times } }
  const end = { ...times, end_time: '2026-12-04 11:39:20.100' }
  if (String(task.body.input.prompt).includes(FAIL_PROMPT))
    return { request_id: 'req-fake', output: { task_id: id, task_status: 'FAILED', code: 'DataInspectionFailed', message: 'Input data may contain inappropriate content.', ...end } }
  if (task.kind === 'video') {
    const duration = task.body.parameters?.duration ?? 5
    return { request_id: 'req-fake', output: { task_id: id, task_status: 'SUCCEEDED', video_url: `https://dashscope-result.example/${id}.mp4`, orig_prompt: task.body.input.prompt, ...end }, usage: { duration, video_count: 1, SR: 720 } }
  }
  const n = task.body.parameters?.n ?? 1
  const results = Array.from({ length: n }, (_, i) => ({ orig_prompt: task.body.input.prompt, actual_prompt: task.body.input.prompt, url: `https://dashscope-result.example/${id}-${i}.png` }))
  return { request_id: 'req-fake', output: { task_id: id, task_status: 'SUCCEEDED', results, ...end }, usage: { image_count: n } }
}
