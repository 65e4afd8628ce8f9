// Fake chat.z.ai (notes §3.1) with the site's checks: bearer JWT = token cookie = query token,
// user_id = the JWT's `id`, the WAF's 405 page without the signed query or the site's Origin,
// X-Signature recomputed here from the salt and the five-minute bucket, the captcha token every
// completion needs, and the stream of delta_content / edit_content (UTF-16 edit_index) frames.
import { createHmac, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { FakeUpstream, readBody, sendJson } from '../helpers/fake-server.js'

const SALT = 'key-@@@@)))()((9))-xxxx&&&%%%%%'
export const ZAI_FE = 'prod-fe-1.1.95'
const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex')

export function zaiJwt(id: string, email = `${id}@example.com`): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ id, email })}.c2ln`
}

export interface ZaiPlan {
  think?: string
  answer: string
  usage?: { prompt_tokens: number; completion_tokens: number }
}

interface Body {
  model?: string
  chat_id?: string
  messages?: { role: string; content: string }[]
  signature_prompt?: string
  captcha_verify_param?: string
  features?: { enable_thinking?: boolean; web_search?: boolean }
}

const WAF_PAGE = '<!doctype html><html><body>405 Not Allowed: your request has been blocked (aliyun waf)</body></html>'

export class FakeZai extends FakeUpstream {
  users = new Map<string, { id: string; email: string }>()
  captchaTokens = new Set<string>(['cap-good'])
  chats = new Map<string, { owner: string; models: string[] }>()
  deleted: string[] = []
  completions: { query: URLSearchParams; headers: IncomingMessage['headers']; body: Body }[] = []
  homePageHits = 0
  plan: (body: Body) => ZaiPlan = (body) => ({ answer: `Answer: ${body.signature_prompt}` })

  addUser(id: string): string {
    const token = zaiJwt(id)
    this.users.set(token, { id, email: `${id}@example.com` })
    return token
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake')
    const raw = await readBody(req)
    if (url.pathname === '/') {
      this.homePageHits++
      res.writeHead(200, { 'content-type': 'text/html' })
      return res.end(`<html><script src="/_app/${ZAI_FE}/start.js"></script></html>`)
    }
    if (req.headers.origin !== 'https://chat.z.ai' || !String(req.headers.referer).startsWith('https://chat.z.ai/')) return this.waf(res)
    if (!/^prod-fe-\d+\.\d+\.\d+$/.test(String(req.headers['x-fe-version']))) return this.waf(res)
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
    const user = this.users.get(token)
    if (!user || req.headers.cookie !== `token=${token}`) return sendJson(res, 401, { detail: 'Not authenticated' })
    const body = (raw.length ? JSON.parse(raw.toString('utf8')) : {}) as Body & { chat?: { models?: string[]; history?: { currentId?: string } } }
    if (url.pathname === '/api/v1/auths/' && req.method === 'GET') return sendJson(res, 200, { ...user, name: user.id, token })
    if (url.pathname === '/api/v1/chats/new' && req.method === 'POST') {
      if (!Array.isArray(body.chat?.models) || !body.chat.history?.currentId) return sendJson(res, 400, { detail: 'invalid chat' })
      const id = randomUUID()
      this.chats.set(id, { owner: user.id, models: body.chat.models })
      return sendJson(res, 200, { id, user_id: user.id, title: 'New Chat' })
    }
    const del = /^\/api\/v1\/chats\/([^/]+)$/.exec(url.pathname)
    if (del && req.method === 'DELETE') {
      if (this.chats.get(del[1]!)?.owner !== user.id) return sendJson(res, 404, { detail: 'chat not found' })
      this.chats.delete(del[1]!)
      this.deleted.push(del[1]!)
      return sendJson(res, 200, true)
    }
    if (url.pathname === '/api/v2/chat/completions' && req.method === 'POST') return this.completion(req, res, url.searchParams, token, user.id, body)
    sendJson(res, 404, { detail: 'Not Found' })
  }

  private waf(res: ServerResponse) {
    res.writeHead(405, { 'content-type': 'text/html' })
    res.end(WAF_PAGE)
  }

  /** Why the signed query or X-Signature is wrong, or undefined. */
  signatureProblem(q: URLSearchParams, headers: IncomingMessage['headers'], token: string, userId: string, body: Body): string | undefined {
    const ts = Number(q.get('timestamp'))
    const rid = q.get('requestId') ?? ''
    if (!ts || !rid || q.get('platform') !== 'web' || q.get('version') !== '0.0.1') return 'waf'
    if (q.get('token') !== token || q.get('user_id') !== userId || q.get('signature_timestamp') !== String(ts)) return 'waf'
    const lastUser = body.messages?.filter((m) => m.role === 'user').at(-1)?.content
    if (body.signature_prompt === undefined || body.signature_prompt !== lastUser) return 'signature_prompt is not the last user message'
    if (Math.abs(Date.now() - ts) > 5 * 60_000) return 'signature expired'
    const key = hmac(SALT, String(Math.floor(ts / 300_000)))
    const data = `requestId,${rid},timestamp,${ts},user_id,${userId}|${Buffer.from(body.signature_prompt.trim()).toString('base64')}|${ts}`
    return headers['x-signature'] === hmac(key, data) ? undefined : 'invalid signature'
  }

  private completion(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, token: string, userId: string, body: Body) {
    this.completions.push({ query: q, headers: req.headers, body })
    const problem = this.signatureProblem(q, req.headers, token, userId, body)
    if (problem === 'waf') return this.waf(res)
    if (problem) return sendJson(res, 400, { detail: problem, code: 'SIGNATURE_ERROR' })
    if (this.chats.get(body.chat_id ?? '')?.owner !== userId) return sendJson(res, 404, { detail: 'chat not found' })
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' })
    const send = (data: unknown) => res.write(`data: ${JSON.stringify({ type: 'chat:completion', data })}\n\n`)
    const captcha = body.captcha_verify_param
    if (!captcha || !this.captchaTokens.has(captcha)) {
      const type = captcha ? 'verify_failed' : 'missing_param'
      send({ done: true, error: { code: 'FRONTEND_CAPTCHA_REQUIRED', captcha_error_type: type, detail: 'Please refresh the page and try again' } })
      return res.end()
    }
    for (const frame of zaiFrames(this.plan(body))) send(frame)
    res.write('data: [DONE]\n\n')
    res.end()
  }
}

/** The frames of one answer, the way the site builds its buffer. */
export function zaiFrames(plan: ZaiPlan): Record<string, unknown>[] {
  const frames: Record<string, unknown>[] = []
  let buf = ''
  const delta = (phase: string, text: string) => {
    frames.push({ phase, delta_content: text })
    buf += text
  }
  const chars = Array.from(plan.answer)
  const pieces: string[] = []
  for (let i = 0; i < chars.length; i += 4) pieces.push(chars.slice(i, i + 4).join(''))
  if (plan.think) {
    const open = '<details type="reasoning" done="false">\n> '
    delta('thinking', open)
    for (const line of Array.from(plan.think)) delta('thinking', line === '\n' ? '\n> ' : line)
    // Answer start: one edit closes the details (rewriting its opening tag) and starts the answer.
    const at = buf.indexOf(' done="false">')
    const edit = ` done="true" duration="1">${buf.slice(at + ' done="false">'.length)}\n</details>\n${pieces.shift() ?? ''}`
    frames.push({ phase: 'answer', edit_index: at, edit_content: edit })
    buf = buf.slice(0, at) + edit
  }
  for (const [i, p] of pieces.entries()) {
    // Every other piece comes as an edit at the end of the buffer, counted in UTF-16 code units.
    if (i % 2) {
      frames.push({ phase: 'answer', edit_index: buf.length, edit_content: p })
      buf += p
    } else delta('answer', p)
  }
  frames.push({ phase: 'done', done: true, ...(plan.usage ? { usage: plan.usage } : {}) })
  return frames
}
