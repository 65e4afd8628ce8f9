// A fake Volcengine visual API: checks every V4 signature the way the gateway does (recomputed
// from the key pair it knows, X-Date fresh, body hash matching) and runs Jimeng tasks through
// in_queue → generating → done. Prompts steer failures: "moderate-me" is refused at submit (50412),
// "fail-task" fails at GetResult (50511), "busy" is answered with the QPS limit (50429, HTTP 429).
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SIGNED_HEADERS, signV4 } from '../../providers/jimeng-api/sign.js'
import { FakeUpstream, readBody, sendJson } from '../helpers/fake-server.js'

export const JIMENG_AK = 'AKLTfakeAccessKey0001'
export const JIMENG_SK = 'ZmFrZVNlY3JldEtleQ=='
export const JIMENG_SECRET = `${JIMENG_AK}:${JIMENG_SK}`
export const JIMENG_VIDEO_URL = 'https://cdn.example/jimeng/video.mp4'
const MAX_SKEW_MS = 15 * 60_000

interface Task {
  reqKey: string
  prompt: string
  polls: number
}

export interface JimengRequest {
  action: string
  headers: IncomingMessage['headers']
  body: Record<string, unknown>
}

function xDateToMs(x: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(x)
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN
}

export class FakeJimeng extends FakeUpstream {
  readonly requests: JimengRequest[] = []
  readonly tasks = new Map<string, Task>()
  /** Polls a task spends in each of in_queue and generating before done. */
  pollsPerStage = 1
  private next = 1

  private gatewayError(res: ServerResponse, status: number, code: string, message: string, action: string) {
    const meta = { RequestId: 'fake-req', Action: action, Version: '2022-08-31', Service: 'cv', Region: 'cn-north-1' }
    sendJson(res, status, { ResponseMetadata: { ...meta, Error: { CodeN: status === 401 ? 100010 : 100000, Code: code, Message: message } } })
  }

  /** Null when the signature holds; otherwise the gateway's error code. */
  private checkSignature(req: IncomingMessage, url: URL, raw: Buffer): string | null {
    const auth = String(req.headers.authorization ?? '')
    const m = /^HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth)
    if (!m) return 'MissingAuthenticationToken'
    const [, ak, , region, service, signedHeaders] = m
    if (ak !== JIMENG_AK) return 'InvalidAccessKey'
    const xDate = String(req.headers['x-date'] ?? '')
    if (!(Math.abs(xDateToMs(xDate) - Date.now()) < MAX_SKEW_MS)) return 'InvalidTimestamp'
    if (region !== 'cn-north-1' || service !== 'cv' || signedHeaders !== SIGNED_HEADERS) return 'SignatureDoesNotMatch'
    if (req.headers['x-content-sha256'] !== createHash('sha256').update(raw).digest('hex')) return 'SignatureDoesNotMatch'
    const expected = signV4({
      method: req.method ?? 'POST',
      host: String(req.headers.host),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: String(req.headers['content-type'] ?? ''),
      body: raw,
      accessKey: JIMENG_AK,
      secretKey: JIMENG_SK,
      region: 'cn-north-1',
      service: 'cv',
      xDate,
    })
    return expected.headers.authorization === auth ? null : 'SignatureDoesNotMatch'
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake')
    const action = url.searchParams.get('Action') ?? ''
    const raw = await readBody(req)
    const refused = this.checkSignature(req, url, raw)
    if (refused) return this.gatewayError(res, 401, refused, `fake gateway: ${refused}`, action)
    if (url.searchParams.get('Version') !== '2022-08-31') return this.gatewayError(res, 400, 'InvalidVersion', 'unknown Version', action)
    const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>
    this.requests.push({ action, headers: req.headers, body })
    const reply = (data: unknown, code = 10000, message = 'Success') =>
      sendJson(res, 200, { code, message, request_id: 'fake-req', status: code, time_elapsed: '1ms', data })
    if (action === 'CVSync2AsyncSubmitTask') return this.submit(body, res, reply)
    if (action === 'CVSync2AsyncGetResult') return this.result(body, reply)
    return this.gatewayError(res, 404, 'InvalidActionOrVersion', `unknown Action ${action}`, action)
  }

  private submit(body: Record<string, unknown>, res: ServerResponse, reply: (data: unknown, code?: number, message?: string) => void) {
    const prompt = String(body.prompt ?? '')
    if (typeof body.req_key !== 'string' || !body.req_key.startsWith('jimeng_')) return reply(null, 50400, 'Invalid req_key')
    if (body.req_key.includes('i2v') && !Array.isArray(body.image_urls) && !Array.isArray(body.binary_data_base64))
      return reply(null, 50400, 'image_urls or binary_data_base64 is required')
    if (prompt.includes('busy')) return sendJson(res, 429, { code: 50429, message: 'Request Has Reached API Limit, Please Try Later', data: null })
    if (prompt.includes('moderate-me')) return reply(null, 50412, 'Text Risk Not Pass')
    const id = `jm-task-${this.next++}`
    this.tasks.set(id, { reqKey: body.req_key, prompt, polls: 0 })
    return reply({ task_id: id })
  }

  private result(body: Record<string, unknown>, reply: (data: unknown, code?: number, message?: string) => void) {
    const task = this.tasks.get(String(body.task_id))
    if (!task) return reply({ status: 'not_found' })
    if (task.reqKey !== body.req_key) return reply(null, 50400, 'req_key does not match the task')
    task.polls++
    if (task.polls <= this.pollsPerStage) return reply({ status: 'in_queue', video_url: '' })
    if (task.polls <= 2 * this.pollsPerStage) return reply({ status: 'generating', video_url: '' })
    if (task.prompt.includes('fail-task')) return reply(null, 50511, 'Post Img Risk Not Pass')
    return reply({ status: 'done', video_url: JIMENG_VIDEO_URL, resp_data: '', binary_data_base64: [], image_urls: null })
  }
}

export const startFakeJimeng = () => new FakeJimeng().start()
