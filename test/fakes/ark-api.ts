// A fake Volcengine Ark. It enforces Bearer auth, the body rules of /images/generations (a prompt,
// Ark's size spellings, SeedEdit's single image) and the content-generation task protocol: a
// Seedance task is queued, then running, then succeeded (or failed when the prompt asks), one
// step per query, and only the key that created it can read it. Chat is OpenAI-shaped.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type RunningServer, readJson, sendJson, startServer } from '../helpers/fake-server.js'
import { answerChat } from './openai-chat-answer.js'

export const ARK_KEY = 'ark-good-key-0001'
export const ARK_OTHER_KEY = 'ark-other-key-0002'
export const ARK_LIMITED_KEY = 'ark-limited-key-0003'
export const ARK_OVERDUE_KEY = 'ark-overdue-key-0004'
export const ARK_CHAT_PARTS = ['豆包', '来了', '！']
export const ARK_REASONING = ['先想', '一想。']
/** A prompt containing this: images are refused as sensitive, video tasks fail. */
export const ARK_FAIL_PROMPT = 'FAIL'

type Obj = Record<string, any>

export interface FakeArk extends RunningServer {
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: Obj }[]
  tasks: Map<string, { key: string; body: Obj; polls: number }>
}

const arkError = (res: ServerResponse, status: number, code: string, message: string, type: string) =>
  sendJson(res, status, { error: { code, message, param: '', type } })
const SIZE = /^(\d+K|\d{3,4}x\d{3,4})$/

export async function startFakeArk(): Promise<FakeArk> {
  const requests: FakeArk['requests'] = []
  const tasks: FakeArk['tasks'] = new Map()
  let next = 1

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0]!
    const body = req.method === 'POST' ? await readJson<Obj>(req) : {}
    requests.push({ method: req.method ?? '', path, headers: req.headers, body })
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (![ARK_KEY, ARK_OTHER_KEY, ARK_LIMITED_KEY, ARK_OVERDUE_KEY].includes(key ?? ''))
      return arkError(res, 401, 'AuthenticationError', 'The API key or AK/SK in the request is missing or invalid.', 'Unauthorized')
    if (key === ARK_LIMITED_KEY) return arkError(res, 429, 'RateLimitExceeded.EndpointRPMExceeded', 'The request has exceeded the RPM limit.', 'TooManyRequests')
    if (key === ARK_OVERDUE_KEY) return arkError(res, 403, 'AccountOverdueError', 'The request failed because your account has an overdue balance.', 'Forbidden')

    if (path === '/api/v3/chat/completions' && req.method === 'POST') {
      if (typeof body.model !== 'string' || !Array.isArray(body.messages)) return arkError(res, 400, 'MissingParameter', 'model and messages are required', 'BadRequest')
      const thinking = body.model.includes('thinking') || body.thinking?.type === 'enabled'
      return answerChat(res, body, { model: body.model, parts: ARK_CHAT_PARTS, ...(thinking ? { reasoning: ARK_REASONING } : {}), usage: { prompt_tokens: 9, completion_tokens: 4 } })
    }
    if (path === '/api/v3/images/generations' && req.method === 'POST') return images(res, body)
    if (path === '/api/v3/contents/generations/tasks' && req.method === 'POST') {
      const problem = validateVideo(body)
      if (problem) return arkError(res, 400, 'InvalidParameter', problem, 'BadRequest')
      const id = `cgt-20261204${String(next++).padStart(6, '0')}`
      tasks.set(id, { key: key!, body, polls: 0 })
      return sendJson(res, 200, { id })
    }
    const taskId = /^\/api\/v3\/contents\/generations\/tasks\/([^/]+)$/.exec(path)?.[1]
    if (taskId && req.method === 'GET') {
      const task = tasks.get(taskId)
      if (!task || task.key !== key) return arkError(res, 404, 'ResourceNotFound', 'The specified task is not found.', 'NotFound')
      return sendJson(res, 200, taskBody(taskId, task))
    }
    return arkError(res, 404, 'NotFound', `no route ${req.method} ${path}`, 'NotFound')
  }

  const server = await startServer(handle)
  return Object.assign(server, { requests, tasks })
}

function images(res: ServerResponse, body: Obj) {
  const model = String(body.model ?? '')
  if (!/^doubao-(seedream|seededit)-/.test(model)) return arkError(res, 404, 'InvalidEndpointOrModel.NotFound', `The model ${model} does not exist`, 'NotFound')
  if (typeof body.prompt !== 'string' || !body.prompt) return arkError(res, 400, 'MissingParameter.prompt', 'The request failed because it is missing `prompt`', 'BadRequest')
  if (body.size !== undefined && !SIZE.test(body.size)) return arkError(res, 400, 'InvalidParameter', `The parameter \`size\` specified in the request is not valid: ${body.size}`, 'BadRequest')
  if (model.includes('seededit') && typeof body.image !== 'string') return arkError(res, 400, 'InvalidParameter', 'SeedEdit takes one `image` (a URL or data URI)', 'BadRequest')
  if (body.prompt.includes(ARK_FAIL_PROMPT))
    return arkError(res, 400, 'OutputImageSensitiveContentDetected', 'The request failed because the output image may contain sensitive information.', 'BadRequest')
  const n = body.sequential_image_generation === 'auto' ? (body.sequential_image_generation_options?.max_images ?? 1) : 1
  const data = Array.from({ length: n }, (_, i) =>
    body.response_format === 'b64_json' ? { b64_json: Buffer.from(`image-${i}`).toString('base64'), size: '2048x2048' } : { url: `https://ark-result.example/${model}-${i}.jpeg`, size: '2048x2048' },
  )
  return sendJson(res, 200, { model, created: 1_764_800_000, data, usage: { generated_images: n, output_tokens: 16_384 * n, total_tokens: 16_384 * n } })
}

function validateVideo(body: Obj): string | undefined {
  const model = String(body.model ?? '')
  if (!model.startsWith('doubao-seedance-')) return `The model ${model} does not exist`
  const content: Obj[] = Array.isArray(body.content) ? body.content : []
  const text = content.filter((c) => c.type === 'text')
  if (text.length !== 1 || typeof text[0]!.text !== 'string') return 'content needs exactly one text item'
  const frames = content.filter((c) => c.type === 'image_url')
  if (frames.some((f) => typeof f.image_url?.url !== 'string')) return 'image_url.url is required'
  if (model.includes('i2v') && !frames.length) return `${model} needs a first frame`
  if (model.includes('t2v') && frames.length) return `${model} takes no image`
  if (body.duration !== undefined && !(Number.isInteger(body.duration) && body.duration >= 2 && body.duration <= 12)) return 'duration must be 2 to 12'
  return undefined
}

function taskBody(id: string, task: { body: Obj; polls: number }): Obj {
  task.polls++
  const { body } = task
  const base = { id, model: body.model, created_at: 1_764_800_000, updated_at: 1_764_800_000 + task.polls, resolution: body.resolution ?? '720p', ratio: body.ratio ?? '16:9', duration: body.duration ?? 5, framespersecond: 24, seed: 11 }
  if (task.polls === 1) return { ...base, status: 'queued', error: null }
  if (task.polls === 2) return { ...base, status: 'running', error: null }
  const prompt = body.content.find((c: Obj) => c.type === 'text').text as string
  if (prompt.includes(ARK_FAIL_PROMPT)) return { ...base, status: 'failed', error: { code: 'OutputVideoSensitiveContentDetected', message: 'The output video may contain sensitive information.' } }
  return { ...base, status: 'succeeded', error: null, content: { video_url: `https://ark-result.example/${id}.mp4` }, usage: { completion_tokens: 108_900, total_tokens: 108_900 } }
}
