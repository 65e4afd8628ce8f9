// Fake chatglm.cn: the server side of spec section 3, including its checks (X-Sign, bearer
// tokens, refresh token expiry, conversation ids) and the cumulative-parts stream.
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { FakeUpstream, readBody, sendJson } from '../helpers/fake-server.js'

const SIGN_SECRET = '8a1317a7468aa3ad86e997d08f3f31cb'
const md5 = (s: string) => createHash('md5').update(s).digest('hex')

export interface GlmReplyPlan {
  think?: string
  text?: string
  code?: string
  output?: string
  quotes?: { title: string; url: string }[]
  image?: string
  end?: 'finish' | 'intervene' | 'none'
  interveneText?: string
  /** Characters added per event (cumulative growth step). */
  step?: number
  delayMs?: number
}

export interface GlmStreamBody {
  assistant_id: string
  conversation_id: string
  messages: { role: string; content: { type: string; text?: string; image?: { image_url?: string }[] }[] }[]
  meta_data: { chat_mode?: string; is_networking?: boolean }
}

type Frame = Record<string, unknown>

/** Why a signature is wrong, or undefined when the three headers agree. */
export function checkSignature(h: IncomingMessage['headers'], secret = SIGN_SECRET, nowMs = Date.now()): string | undefined {
  const ts = String(h['x-timestamp'] ?? '')
  const nonce = String(h['x-nonce'] ?? '')
  const sign = String(h['x-sign'] ?? '')
  if (!/^\d{13}$/.test(ts)) return 'sign error: bad X-Timestamp'
  if (!/^[0-9a-f]{32}$/.test(nonce)) return 'sign error: bad X-Nonce'
  const d = Array.from(ts, Number)
  // Only the check digit was replaced, so the other digits still sum to it (mod 10).
  const othersSum = d.reduce((a, b) => a + b, 0) - d[11]!
  if (othersSum % 10 !== d[11]) return 'sign error: X-Timestamp checksum'
  if (Math.abs(Number(ts) - nowMs) > 10 * 60_000) return 'sign error: X-Timestamp skew'
  if (md5(`${ts}-${nonce}-${secret}`) !== sign) return 'sign error: X-Sign mismatch'
  return undefined
}

export class FakeGlm extends FakeUpstream {
  /** refresh token → account id */
  refreshTokens = new Map<string, string>([['rt-good', 'user-1']])
  expiredRefreshTokens = new Set<string>(['rt-expired'])
  accessTokens = new Map<string, string>()
  refreshCalls = 0
  /** Refresh tokens presented, in order. */
  refreshAttempts: string[] = []
  /** Change to play an upstream that moved to another signing secret. */
  signSecret = SIGN_SECRET
  refreshDelayMs = 0
  /** Rotate refresh tokens on refresh, as GLM may. */
  rotate = false
  conversations = new Map<string, { assistantId: string; prompts: string[] }>()
  deleted: string[] = []
  uploads = new Map<string, { filename: string; mime: string; bytes: Buffer }>()
  deletedWith: { assistant_id: string; conversation_id: string }[] = []
  streamRequests: { headers: IncomingMessage['headers']; body: GlmStreamBody }[] = []
  /** The next stream call answers this instead of SSE. */
  nextStreamFailure: { status: number; contentType: string; body: string } | undefined
  plan: (body: GlmStreamBody) => GlmReplyPlan = (body) => ({ text: `回答：${promptOf(body)}` })
  clientClosedEarly = false
  private counter = 0

  /** Invalidate every access token handed out so far (GLM answers code 401). */
  revokeAccessTokens() {
    this.accessTokens.clear()
  }

  private newId(prefix: string, len: number) {
    this.counter++
    return (prefix + md5(`${prefix}${this.counter}${Math.random()}`)).slice(0, len)
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '').split('?')[0]
    const raw = await readBody(req)
    const isJson = String(req.headers['content-type'] ?? '').includes('json')
    const body = (isJson && raw.length ? JSON.parse(raw.toString('utf8')) : {}) as Record<string, unknown>
    const signError = checkSignature(req.headers, this.signSecret)
    if (signError) return sendJson(res, 200, { code: 10001, status: 10001, message: signError })
    if (req.headers['app-name'] !== 'chatglm') return sendJson(res, 200, { code: -2001, message: 'bad request' })
    const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
    if (path === '/chatglm/user-api/user/refresh') return this.refresh(bearer, res)
    const account = this.accessTokens.get(bearer)
    if (!account) return sendJson(res, 200, { code: 401, status: 401, message: 'token invalid' })
    if (path === '/chatglm/backend-api/assistant/file_upload') return this.upload(req, raw, res)
    if (path === '/chatglm/backend-api/assistant/stream') return this.stream(req, body as unknown as GlmStreamBody, res)
    if (path === '/chatglm/backend-api/assistant/conversation/delete') {
      const id = String(body.conversation_id)
      if (this.conversations.get(id)?.assistantId !== body.assistant_id)
        return sendJson(res, 200, { code: 10002, message: 'conversation not found for this assistant' })
      this.conversations.delete(id)
      this.deletedWith.push({ assistant_id: String(body.assistant_id), conversation_id: id })
      this.deleted.push(id)
      return sendJson(res, 200, { code: 0, status: 0, message: 'success', result: {} })
    }
    sendJson(res, 404, { code: 404, message: 'not found' })
  }

  /** Accept one multipart `file` part, as the browser uploads it. */
  private upload(req: IncomingMessage, raw: Buffer, res: ServerResponse) {
    const boundary = /boundary=(.+)$/.exec(String(req.headers['content-type'] ?? ''))?.[1]
    const text = raw.toString('latin1')
    const head = boundary ? text.indexOf(`--${boundary}\r\n`) : -1
    const match = /Content-Disposition: form-data; name="file"; filename="([^"]*)"\r\nContent-Type: ([^\r]+)\r\n\r\n/.exec(text)
    const end = boundary ? text.lastIndexOf(`\r\n--${boundary}--`) : -1
    if (head !== 0 || !match || end < 0) return sendJson(res, 200, { code: 10004, message: 'file invalid: no file part' })
    const bytes = raw.subarray(match.index + match[0].length, end)
    if (!bytes.length) return sendJson(res, 200, { code: 10004, message: 'file invalid: empty' })
    const url = `https://sfile.chatglm.cn/testpath/${this.newId('f', 16)}.${match[2]!.split('/')[1]}`
    this.uploads.set(url, { filename: match[1]!, mime: match[2]!, bytes: Buffer.from(bytes) })
    sendJson(res, 200, { code: 0, status: 0, message: 'success', result: { file_id: this.newId('id', 20), file_url: url, width: 64, height: 48 } })
  }

  private async refresh(refreshToken: string, res: ServerResponse) {
    this.refreshCalls++
    this.refreshAttempts.push(refreshToken)
    if (this.refreshDelayMs) await sleep(this.refreshDelayMs)
    if (this.expiredRefreshTokens.has(refreshToken))
      return sendJson(res, 200, { code: 10001, status: 10001, message: 'refresh token expired 40102' })
    const account = this.refreshTokens.get(refreshToken)
    if (!account) return sendJson(res, 401, { code: 401, message: 'unauthorized' })
    const accessToken = jwtFor(account, this.newId('at', 24))
    this.accessTokens.set(accessToken, account)
    let next = refreshToken
    if (this.rotate) {
      next = `rt-${this.newId('r', 12)}`
      this.refreshTokens.delete(refreshToken)
      this.refreshTokens.set(next, account)
    }
    sendJson(res, 200, { code: 0, status: 0, message: 'success', result: { access_token: accessToken, refresh_token: next } })
  }

  private async stream(req: IncomingMessage, body: GlmStreamBody, res: ServerResponse) {
    this.streamRequests.push({ headers: req.headers, body })
    if (this.nextStreamFailure) {
      const f = this.nextStreamFailure
      this.nextStreamFailure = undefined
      res.writeHead(f.status, { 'content-type': f.contentType })
      return res.end(f.body)
    }
    const images = body.messages[0]?.content.flatMap((c) => (c.type === 'image' ? (c.image ?? []) : [])) ?? []
    if (images.some((img) => !img.image_url || !this.uploads.has(img.image_url)))
      return sendJson(res, 200, { code: 10003, message: 'image not uploaded' })
    let id = body.conversation_id
    if (id) {
      const conv = this.conversations.get(id)
      if (!conv) return sendJson(res, 200, { code: 10002, message: 'conversation not found' })
      conv.prompts.push(promptOf(body))
    } else {
      id = this.newId('c', 24)
      this.conversations.set(id, { assistantId: body.assistant_id, prompts: [promptOf(body)] })
    }
    const plan = this.plan(body)
    let finished = false
    res.on('close', () => {
      if (!finished) this.clientClosedEarly = true
    })
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' })
    for (const frame of framesFor(id, plan)) {
      if (res.destroyed) return
      res.write(`data: ${JSON.stringify(frame)}\n\n`)
      if (plan.delayMs) await sleep(plan.delayMs)
    }
    finished = true
    res.end()
  }
}

export const promptOf = (body: GlmStreamBody) => body.messages[0]?.content.find((c) => c.type === 'text')?.text ?? ''

function jwtFor(account: string, jti: string) {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${b64({ alg: 'HS256' })}.${b64({ sub: account, jti })}.sig`
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Cumulative events: each one repeats every item so far, the growing one a few characters longer. */
export function framesFor(conversationId: string, plan: GlmReplyPlan): Frame[] {
  const step = plan.step ?? 3
  const items: { type: string; field: string; full: string; extra?: Record<string, unknown> }[] = []
  if (plan.think) items.push({ type: 'think', field: 'think', full: plan.think })
  if (plan.quotes) items.push({ type: 'quote_result', field: '', full: '', extra: { meta_data: { metadata_list: plan.quotes } } })
  if (plan.code) items.push({ type: 'code', field: 'code', full: plan.code })
  if (plan.output) items.push({ type: 'execution_output', field: 'content', full: plan.output })
  if (plan.text) items.push({ type: 'text', field: 'text', full: plan.text })
  if (plan.image) items.push({ type: 'image', field: '', full: '', extra: { image: [{ image_url: plan.image }] } })
  const frames: Frame[] = []
  const shown: Record<string, unknown>[] = []
  const snapshot = (status: string) => ({
    conversation_id: conversationId,
    status,
    parts: shown.map((c, i) => ({ logic_id: `p${i}`, status: c.status, content: [{ ...c }] })),
  })
  for (const item of items) {
    const chars = Array.from(item.full)
    const entry: Record<string, unknown> = { type: item.type, status: 'init', ...item.extra }
    shown.push(entry)
    for (let n = step; item.field && n < chars.length + step; n += step) {
      entry[item.field] = chars.slice(0, n).join('')
      frames.push(snapshot('init'))
    }
    entry.status = 'finish'
    frames.push(snapshot('init'))
  }
  if (plan.end === 'intervene')
    frames.push({ ...snapshot('intervene'), last_error: { intervene_text: plan.interveneText ?? '内容不合规' } })
  else if (plan.end !== 'none') frames.push(snapshot('finish'))
  return frames
}
