// Fake legacy hailuoai.com: spec section 4.1 with its checks (Token, query order, `unix` in whole
// seconds, Yy over the JSON body or the multipart fields) and the cumulative SSE whose final
// chunk carries the inverted marker isEnd 0, followed by a type 8 end event.
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { FakeUpstream, readBody } from '../helpers/fake-server.js'
import { keysInOrder, verifyYy } from './minimax-web.js'

const md5 = (s: string) => createHash('md5').update(s).digest('hex')
const HAILUO_KEYS = [
  'device_platform', 'app_id', 'version_code', 'uuid', 'device_id', 'os_name', 'browser_name', 'device_memory',
  'cpu_core_num', 'browser_language', 'browser_platform', 'screen_width', 'screen_height', 'unix',
]

export interface HailuoPlan {
  text: string
  step?: number
  /** Which end marker(s) the stream carries. */
  end?: 'isEnd' | 'type8' | 'both'
  delayMs?: number
}

/** Minimal multipart/form-data reader for text fields. */
export function parseMultipart(body: string, contentType: string): Map<string, string> {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1]
  const out = new Map<string, string>()
  if (!boundary) return out
  for (const part of body.split(`--${boundary}`)) {
    const m = /^\r\nContent-Disposition: form-data; name="([^"]+)"\r\n\r\n([\s\S]*)\r\n$/.exec(part)
    if (m) out.set(m[1]!, m[2]!)
  }
  return out
}

export class FakeHailuo extends FakeUpstream {
  tokens = new Set<string>()
  devices = new Map<string, string>()
  chats = new Map<string, string[]>()
  deleted: string[] = []
  sentForms: Map<string, string>[] = []
  plan: (msg: string) => HailuoPlan = (msg) => ({ text: `海螺：${msg}`, end: 'both' })
  clientClosedEarly = false
  private seq = 0n

  private nextId() {
    this.seq++
    return String(288_000_000_000_000_000n + this.seq * 11n)
  }

  private envelope(res: ServerResponse, code: number, message: string, data: string = '{}', status = 200) {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(`{"statusInfo":{"code":${code},"message":${JSON.stringify(message)}},"data":${data}}`)
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const raw = req.url ?? ''
    const [path = '', rawQuery = ''] = raw.split('?')
    const query = new URLSearchParams(rawQuery)
    const rawBody = (await readBody(req)).toString('utf8')
    const token = String(req.headers.token ?? '')
    if (!this.tokens.has(token)) return this.envelope(res, 1004, '登录已过期，请重新登录', '{}', 401)
    const unix = query.get('unix') ?? ''
    if (!keysInOrder([...query.keys()], HAILUO_KEYS) || !/^\d{10}000$/.test(unix)) return this.envelope(res, 2013, 'params error')
    const yy = req.headers.yy as string | undefined
    if (path === '/v4/api/chat/msg') {
      const form = parseMultipart(rawBody, String(req.headers['content-type'] ?? ''))
      const msg = form.get('msgContent') ?? ''
      const part = md5(form.get('characterID') ?? '') + md5(msg.replace(/[\r\n]/g, '')) + md5(form.get('chatID') ?? '') + md5(form.get('form') ?? '')
      if (!verifyYy(raw, part, unix, yy)) return this.envelope(res, 1002, 'invalid signature yy')
      if (this.devices.get(query.get('device_id') ?? '') !== token) return this.envelope(res, 1003, 'device not registered')
      return this.chat(form, res)
    }
    if (!verifyYy(raw, rawBody || '{}', unix, yy)) return this.envelope(res, 1002, 'invalid signature yy')
    if (path === '/v1/api/user/device/register') {
      const deviceId = this.nextId()
      this.devices.set(deviceId, token)
      return this.envelope(res, 0, 'Success', `{"deviceIDStr":"${deviceId}"}`)
    }
    if (this.devices.get(query.get('device_id') ?? '') !== token) return this.envelope(res, 1003, 'device not registered')
    if (path === '/v1/api/user/info') return this.envelope(res, 0, 'Success', '{"userInfo":{"userID":"hailuo-user","nickName":"海螺"}}')
    if (req.method === 'DELETE' && path.startsWith('/v1/api/chat/history/')) {
      const id = decodeURIComponent(path.slice('/v1/api/chat/history/'.length))
      if (!this.chats.delete(id)) return this.envelope(res, 2004, 'chat not found')
      this.deleted.push(id)
      return this.envelope(res, 0, 'Success')
    }
    this.envelope(res, 404, 'not found', '{}', 404)
  }

  private async chat(form: Map<string, string>, res: ServerResponse) {
    this.sentForms.push(form)
    const msg = form.get('msgContent') ?? ''
    let chatId = form.get('chatID') ?? '0'
    if (chatId === '0') {
      chatId = this.nextId()
      this.chats.set(chatId, [])
    } else if (!this.chats.has(chatId)) return this.envelope(res, 2004, 'chat not found')
    this.chats.get(chatId)!.push(msg)
    const plan = this.plan(msg)
    const msgId = this.nextId()
    const chars = Array.from(plan.text)
    const step = plan.step ?? 3
    let finished = false
    res.on('close', () => {
      if (!finished) this.clientClosedEarly = true
    })
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const event = (type: number, isEnd: number, content: string) =>
      `event: message_result\ndata: {"type":${type},"statusInfo":{"code":0,"message":"Success"},"data":{"messageResult":{"chatID":${chatId},"msgID":${msgId},"isEnd":${isEnd},"content":${JSON.stringify(content)},"extra":{}}}}\n\n`
    for (let n = step; n < chars.length + step; n += step) {
      if (res.destroyed) return
      const last = n >= chars.length
      const isEnd = last && plan.end !== 'type8' ? 0 : 1
      res.write(event(2, isEnd, chars.slice(0, n).join('')))
      if (plan.delayMs) await new Promise((r) => setTimeout(r, plan.delayMs))
    }
    if (plan.end !== 'isEnd') res.write('event: message_result\ndata: {"type":8,"statusInfo":{"code":0,"message":"Success"},"data":{}}\n\n')
    finished = true
    res.end()
  }
}
