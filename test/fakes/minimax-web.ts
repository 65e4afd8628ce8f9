// Fake agent.minimaxi.com: the server side of spec section 4.2 as updated in 2026 (updates-2026
// §6) with its checks (HS256 JWTs that expire on the fake's clock, token renewal, query order, yy,
// the fixed-secret x-signature, registered device, numeric chat ids beyond 2^53) and polled
// cumulative answers. The archon API (§6.3) is served by the same server, see minimax-web-archon.ts.
import { createHash, createHmac } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { FakeUpstream, readBody } from '../helpers/fake-server.js'
import { type ArchonState, handleArchon, newArchonState } from './minimax-web-archon.js'

const md5 = (s: string) => createHash('md5').update(s).digest('hex')
const JWT_KEY = 'fake-minimax-signing-key'
const b64url = (s: string) => Buffer.from(s).toString('base64url')
/** The fixed x-signature secret of updates-2026 §6.1 (written out here, not imported from the adapter). */
export const X_SIGNATURE_SECRET = 'I*7Cf%WZ#S&%1RlZJ&C2'
/** The site's answer to a dead token (and, per Chat2API#105/#123, to the old signature formula). */
export const ABNORMAL_ACCESS = JSON.stringify({ statusInfo: { code: 1000021, msg: '异常用户访问' } })
const RENEWED_LIFETIME_S = 40 * 86_400

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
  /** Opaque tokens that carry no user id (→ realUserID); never expire. Signed JWTs need no entry. */
  accounts = new Map<string, string>()
  /** Users whose every token is refused (logged out, banned). */
  revokedUsers = new Set<string>()
  /** The fake's clock offset from wall time, moved by advance(). */
  offsetMs = 0
  renewals: { token: string; issued: string }[] = []
  /** Answer renewals with a 502 (the token itself keeps working). */
  renewalDown = false
  /** Tokens seen on authenticated calls, in order. */
  tokensSeen: string[] = []
  archon: ArchonState = newArchonState()
  /** device id → user id */
  devices = new Map<string, string>()
  chats = new Map<string, FakeChat>()
  registrations = 0
  /** Calls refused for an unknown, expired or revoked token. */
  rejectedTokens = 0
  /** Calls refused for a wrong x-signature. */
  badSignatures = 0
  /** Change to play a server whose yy scheme moved on. */
  yySalt = 'ooui'
  polls = 0
  sent: { text: string; chatId?: string; rawBody: string }[] = []
  deleted: string[] = []
  plan: (text: string) => MinimaxPlan = (text) => ({ text: `收到：${text}` })
  /** Next send_msg answers with this base_resp instead. */
  nextSendFailure: { status: number; body: string; contentType?: string } | undefined
  private seq = 0
  private idSeq = 0n

  /** Ids past 2^53, as MiniMax hands out, so a lossy JSON.parse would corrupt them. */
  private nextId() {
    this.idSeq++
    return String(306_000_000_000_000_000n + this.idSeq * 7n)
  }

  now(): number {
    return Date.now() + this.offsetMs
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000
  }

  /** A token as the site issues it: HS256 JWT with `{user:{id}, exp}`, `lifetimeS` from the fake's now. */
  issueToken(userId: string, lifetimeS = RENEWED_LIFETIME_S): string {
    const iat = Math.floor(this.now() / 1000)
    const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ user: { id: userId }, iat, exp: iat + lifetimeS, n: ++this.seq }))}`
    return `${head}.${createHmac('sha256', JWT_KEY).update(head).digest('base64url')}`
  }

  /** The user a token belongs to, if it is live now. */
  userOf(token: string): string | undefined {
    const opaque = this.accounts.get(token)
    if (opaque) return this.revokedUsers.has(opaque) ? undefined : opaque
    const [h, p, sig] = token.split('.')
    if (!h || !p || !sig || createHmac('sha256', JWT_KEY).update(`${h}.${p}`).digest('base64url') !== sig) return undefined
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { user?: { id?: string }; exp?: number }
    const id = claims.user?.id
    if (!id || !(Number(claims.exp) * 1000 > this.now()) || this.revokedUsers.has(id)) return undefined
    return id
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
    if (path.startsWith('/archon/')) return handleArchon(this, req, res, path, query, rawBody)
    const jwt = String(req.headers.token ?? '')
    const account = this.userOf(jwt)
    if (!account || query.get('token') !== jwt) {
      this.rejectedTokens++
      return this.reply(res, 401, ABNORMAL_ACCESS)
    }
    if (!keysInOrder([...query.keys()], AGENT_KEYS)) return this.fail(res, 2013, 'params error: query order')
    // The timestamp itself is not checked (a peer found ±24 h accepted); the signature over it is.
    const ts = String(req.headers['x-timestamp'] ?? '')
    if (!/^\d+$/.test(ts) || md5(`${ts}${X_SIGNATURE_SECRET}${req.method === 'GET' ? '' : rawBody}`) !== req.headers['x-signature']) {
      this.badSignatures++
      return this.reply(res, 401, ABNORMAL_ACCESS)
    }
    const yyBody = req.method === 'GET' ? '{}' : rawBody
    if (!verifyYy(raw, yyBody, query.get('unix') ?? '', req.headers.yy as string | undefined, this.yySalt))
      return this.fail(res, 1002, 'invalid signature: yy')
    this.tokensSeen.push(jwt)
    if (path === '/v1/api/user/device/register') return this.register(query, rawBody, account, res)
    if (path === '/v1/api/user/renewal' && req.method === 'POST') return this.renew(jwt, account, res)
    if (this.devices.get(query.get('device_id') ?? '') !== account) return this.fail(res, 1003, 'device not registered')
    const body = JSON.parse(rawBody.replace(/("chat_id":)(\d+)/g, '$1"$2"') || '{}') as Record<string, unknown>
    if (body.chat_id !== undefined && !/"chat_id":\d+/.test(rawBody)) return this.fail(res, 2013, 'params error: chat_id')
    switch (path) {
      case '/matrix/api/v1/chat/send_msg':
        return this.send(body, rawBody, account, res)
      case '/matrix/api/v1/chat/get_chat_detail':
        return this.detail(String(body.chat_id), account, res)
      case '/matrix/api/v1/chat/delete_chat': {
        const id = String(body.chat_id)
        if (this.chats.get(id)?.owner !== account) return this.fail(res, 2004, 'chat not found')
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
    this.devices.set(deviceId, account)
    this.reply(res, 200, `{"statusInfo":{"code":0,"message":"Success"},"data":{"deviceIDStr":"${deviceId}","realUserID":"${account}"}}`)
  }

  /** `POST /v1/api/user/renewal {}` → a new token good for 40 days; the old one lives until its own exp. */
  private renew(jwt: string, account: string, res: ServerResponse) {
    if (this.renewalDown) return this.reply(res, 502, JSON.stringify({ statusInfo: { code: 1500, message: 'system busy' } }))
    const issued = this.issueToken(account)
    this.renewals.push({ token: jwt, issued })
    this.reply(res, 200, JSON.stringify({ statusInfo: { code: 0, message: 'Success' }, data: { token: issued } }))
  }

  private send(body: Record<string, unknown>, rawBody: string, owner: string, res: ServerResponse) {
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
    if (chatId && chat?.owner !== owner) return this.fail(res, 2004, 'chat not found')
    if (!chatId || !chat) {
      chatId = this.nextId()
      chat = { owner, messages: [], status: 1, revealed: 0 }
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
  private detail(chatId: string, owner: string, res: ServerResponse) {
    const chat = this.chats.get(chatId)
    if (chat?.owner !== owner) return this.fail(res, 2004, 'chat not found')
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
