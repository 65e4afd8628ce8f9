// Fake agent.minimaxi.com: the server side of spec section 4.2 with its checks (token, query order,
// yy, x-signature, registered device, numeric chat ids beyond 2^53) and polled cumulative answers.
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { FakeUpstream, readBody } from '../helpers/fake-server.js'

const md5 = (s: string) => createHash('md5').update(s).digest('hex')

const AGENT_KEYS = [
  'device_platform', 'biz_id', 'app_id', 'version_code', 'uuid', 'device_id', 'os_name', 'browser_name',
  'device_memory', 'cpu_core_num', 'browser_language', 'browser_platform', 'user_id', 'screen_width',
  'screen_height', 'unix', 'lang', 'token', 'timezone_offset', 'sys_language', 'client',
]

/** Keys must come in the browser's order (a key may be absent, never moved). */
export function keysInOrder(keys: string[], expected: readonly string[]): boolean {
  let at = -1
  for (const k of keys) {
    const i = expected.indexOf(k)
    if (i <= at) return false
    at = i
  }
  return true
}

export function verifyYy(rawPathAndQuery: string, bodyPart: string, unix: string, yy: string | undefined, salt = 'ooui'): boolean {
  return md5(`${encodeURIComponent(rawPathAndQuery)}_${bodyPart}${md5(unix)}${salt}`) === yy
}

export interface MinimaxPlan {
  think?: string
  text: string
  /** Characters revealed per poll. */
  step?: number
  /** Keep generating forever (abort tests). */
  neverFinish?: boolean
}

interface FakeMessage {
  msg_id: string
  msg_type: 1 | 2
  msg_content: string
  extra_info: { thinking_content: string }
}

interface FakeChat {
  owner: string
  messages: FakeMessage[]
  status: number
  plan?: MinimaxPlan
  revealed: number
}

export class FakeMinimaxAgent extends FakeUpstream {
  /** jwt → realUserID */
  accounts = new Map<string, string>()
  devices = new Map<string, string>()
  chats = new Map<string, FakeChat>()
  registrations = 0
  /** Calls refused for an unknown token. */
  rejectedTokens = 0
  /** Change to play a server whose yy scheme moved on. */
  yySalt = 'ooui'
  polls = 0
  sent: { text: string; chatId?: string; rawBody: string }[] = []
  deleted: string[] = []
  plan: (text: string) => MinimaxPlan = (text) => ({ text: `收到：${text}` })
  /** Next send_msg answers with this base_resp instead. */
  nextSendFailure: { status: number; body: string; contentType?: string } | undefined
  private seq = 0n

  /** Ids past 2^53, as MiniMax hands out, so a lossy JSON.parse would corrupt them. */
  private nextId() {
    this.seq++
    return String(306_000_000_000_000_000n + this.seq * 7n)
  }

  private reply(res: ServerResponse, status: number, rawJson: string) {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(rawJson)
  }

  private fail(res: ServerResponse, code: number, msg: string) {
    this.reply(res, 200, JSON.stringify({ base_resp: { status_code: code, status_msg: msg } }))
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const raw = req.url ?? ''
    const [path = '', rawQuery = ''] = raw.split('?')
    const query = new URLSearchParams(rawQuery)
    const rawBody = (await readBody(req)).toString('utf8')
    const jwt = String(req.headers.token ?? '')
    if (!this.accounts.has(jwt) || query.get('token') !== jwt) {
      this.rejectedTokens++
      return this.reply(res, 401, JSON.stringify({ statusInfo: { code: 1004, message: 'token is invalid' } }))
    }
    if (!keysInOrder([...query.keys()], AGENT_KEYS)) return this.fail(res, 2013, 'params error: query order')
    const ts = Number(req.headers['x-timestamp'])
    const signedBody = req.method === 'GET' ? '{}' : rawBody
    if (!(Math.abs(ts * 1000 - Date.now()) < 600_000) || md5(`${ts}${jwt}${signedBody}`) !== req.headers['x-signature'])
      return this.fail(res, 1002, 'invalid signature: x-signature')
    if (!verifyYy(raw, signedBody, query.get('unix') ?? '', req.headers.yy as string | undefined, this.yySalt))
      return this.fail(res, 1002, 'invalid signature: yy')
    const account = this.accounts.get(jwt)!
    if (path === '/v1/api/user/device/register') return this.register(query, rawBody, account, res)
    if (this.devices.get(query.get('device_id') ?? '') !== jwt) return this.fail(res, 1003, 'device not registered')
    const body = JSON.parse(rawBody.replace(/("chat_id":)(\d+)/g, '$1"$2"') || '{}') as Record<string, unknown>
    if (body.chat_id !== undefined && !/"chat_id":\d+/.test(rawBody)) return this.fail(res, 2013, 'params error: chat_id')
    switch (path) {
      case '/matrix/api/v1/chat/send_msg':
        return this.send(body, rawBody, jwt, res)
      case '/matrix/api/v1/chat/get_chat_detail':
        return this.detail(String(body.chat_id), jwt, res)
      case '/matrix/api/v1/chat/delete_chat': {
        const id = String(body.chat_id)
        if (this.chats.get(id)?.owner !== jwt) return this.fail(res, 2004, 'chat not found')
        this.chats.delete(id)
        this.deleted.push(id)
        return this.reply(res, 200, JSON.stringify({ base_resp: { status_code: 0, status_msg: 'success' } }))
      }
      case '/v1/api/user/info':
        return this.reply(res, 200, JSON.stringify({ statusInfo: { code: 0, message: 'Success' }, data: { userInfo: { userID: account, nickName: 'tester' } } }))
      default:
        return this.reply(res, 404, '{"statusInfo":{"code":404,"message":"not found"}}')
    }
  }

  private register(query: URLSearchParams, rawBody: string, account: string, res: ServerResponse) {
    const { uuid } = JSON.parse(rawBody) as { uuid?: string }
    if (!uuid || query.get('uuid') !== uuid || query.has('device_id')) return this.fail(res, 2013, 'params error: register')
    this.registrations++
    const deviceId = this.nextId()
    this.devices.set(deviceId, String(query.get('token')))
    this.reply(res, 200, `{"statusInfo":{"code":0,"message":"Success"},"data":{"deviceIDStr":"${deviceId}","realUserID":"${account}"}}`)
  }

  private send(body: Record<string, unknown>, rawBody: string, jwt: string, res: ServerResponse) {
    if (this.nextSendFailure) {
      const f = this.nextSendFailure
      this.nextSendFailure = undefined
      res.writeHead(f.status, { 'content-type': f.contentType ?? 'application/json' })
      return res.end(f.body)
    }
    if (body.msg_type !== 1 || body.chat_type !== 1 || typeof body.text !== 'string') return this.fail(res, 2013, 'params error')
    const text = body.text
    this.sent.push({ text, rawBody, ...(body.chat_id ? { chatId: String(body.chat_id) } : {}) })
    let chatId = body.chat_id === undefined ? undefined : String(body.chat_id)
    let chat = chatId ? this.chats.get(chatId) : undefined
    if (chatId && chat?.owner !== jwt) return this.fail(res, 2004, 'chat not found')
    if (!chatId || !chat) {
      chatId = this.nextId()
      chat = { owner: jwt, messages: [], status: 1, revealed: 0 }
      this.chats.set(chatId, chat)
    }
    const msgId = this.nextId()
    chat.messages.push({ msg_id: msgId, msg_type: 1, msg_content: text, extra_info: { thinking_content: '' } })
    chat.messages.push({ msg_id: this.nextId(), msg_type: 2, msg_content: '', extra_info: { thinking_content: '' } })
    chat.status = 1
    chat.plan = this.plan(text)
    chat.revealed = 0
    this.reply(res, 200, `{"base_resp":{"status_code":0,"status_msg":"success"},"chat_id":${chatId},"msg_id":${msgId}}`)
  }

  /** Each poll reveals `step` more characters: thinking first, then the answer. */
  private detail(chatId: string, jwt: string, res: ServerResponse) {
    const chat = this.chats.get(chatId)
    if (chat?.owner !== jwt) return this.fail(res, 2004, 'chat not found')
    this.polls++
    const plan = chat.plan
    const answer = chat.messages.at(-1)!
    if (plan && chat.status !== 2) {
      const think = Array.from(plan.think ?? '')
      const text = Array.from(plan.neverFinish ? plan.text.repeat(1000) : plan.text)
      chat.revealed += plan.step ?? 4
      answer.extra_info.thinking_content = think.slice(0, chat.revealed).join('')
      answer.msg_content = text.slice(0, Math.max(0, chat.revealed - think.length)).join('')
      if (!plan.neverFinish && chat.revealed >= think.length + text.length) chat.status = 2
    }
    const messages = chat.messages.map((m) => ({ ...m, msg_id: `@${m.msg_id}@` }))
    const json = JSON.stringify({ base_resp: { status_code: 0, status_msg: 'success' }, chat: { chat_id: `@${chatId}@`, chat_status: chat.status }, messages })
    this.reply(res, 200, json.replace(/"@(\d+)@"/g, '$1'))
  }
}
