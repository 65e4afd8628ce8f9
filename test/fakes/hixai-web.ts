// Fake hix.ai: the server side of the HixAI flow with its checks. Session cookie ("not login"),
// browser UA and Origin, per-bot credit deduction, subscription for ADVANCED bots, tRPC batch
// envelopes, presigned-URL uploads with a verified signature, and a Cloudflare challenge mode.
import { createHmac, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { HIX_MODELS } from '../../providers/hixai-web/constants.js'
import { type RunningServer, readBody, sendJson, startServer } from '../helpers/fake-server.js'
import { chatReply, cloudflarePage, trpcError, trpcOk } from './hixai-web-replies.js'

export interface FakeHixAccount {
  token: string
  email: string
  credit: number
  advancedCredit: number
  subscribed: boolean
}

export interface FakeHixChat {
  id: string
  owner: string
  botId: number
  questions: { question: string; searchType?: string; fileUrl: string }[]
}

export interface FakeHixState {
  accounts: Map<string, FakeHixAccount>
  chats: Map<string, FakeHixChat>
  uploads: Map<string, { bytes: Buffer; contentType: string }>
  /** `challenge`: Cloudflare interstitial on every route; `block`: a bare HTML 403. */
  cloudflare: 'off' | 'challenge' | 'block'
  /** Stream this many chunks, then hang until the client goes away (abort tests). */
  stallAfter?: number
  /** Streams the client closed before [DONE]. */
  abortedStreams: number
  /** Signed upload URLs expire after this many ms. */
  uploadTtlMs: number
  log: { method: string; path: string; body?: unknown }[]
}

export interface FakeHix extends RunningServer {
  state: FakeHixState
}

const SIGNING_KEY = 'fake-s3-signing-key'
const bots = new Map(HIX_MODELS.map((m) => [m.botId, m]))
const sign = (path: string, date: string, expires: string) =>
  createHmac('sha256', SIGNING_KEY).update(`${path}|${date}|${expires}`).digest('hex')

function sessionToken(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie ?? ''
  return /(?:^|;\s*)__Secure-next-auth\.session-token=([^;]+)/.exec(cookie)?.[1]
}

export async function startFakeHix(accounts: Partial<FakeHixAccount>[] = [{}]): Promise<FakeHix> {
  const state: FakeHixState = {
    accounts: new Map(),
    chats: new Map(),
    uploads: new Map(),
    cloudflare: 'off',
    abortedStreams: 0,
    uploadTtlMs: 300_000,
    log: [],
  }
  accounts.forEach((a, i) => {
    const account = { token: `tok-${i}`, email: `user${i}@example.com`, credit: 100, advancedCredit: 0, subscribed: false, ...a }
    state.accounts.set(account.token, account)
  })
  let origin = ''
  const server = await startServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin)
    const raw = await readBody(req)
    const text = raw.toString('utf8')
    state.log.push({ method: req.method ?? 'GET', path: url.pathname + url.search, body: tryParse(text) })
    if (url.pathname.startsWith('/s3/')) {
      handleUpload(state, req, res, url, raw)
      return
    }
    if (state.cloudflare === 'challenge' || !/Chrome\/\d/.test(req.headers['user-agent'] ?? '')) {
      res.writeHead(403, { 'content-type': 'text/html; charset=UTF-8', 'cf-mitigated': 'challenge' })
      res.end(cloudflarePage)
      return
    }
    if (state.cloudflare === 'block') {
      res.writeHead(403, { 'content-type': 'text/html' })
      res.end('<html><body><h1>403 Forbidden</h1></body></html>')
      return
    }
    if (req.method === 'POST' && req.headers.origin !== origin) {
      sendJson(res, 403, { status: -1, message: 'invalid origin' })
      return
    }
    const account = state.accounts.get(decodeURIComponent(sessionToken(req) ?? ''))
    const body = tryParse(text) as Record<string, Record<string, Record<string, unknown>>> | undefined
    const path = url.pathname
    if (path === '/api/auth/session') {
      sendJson(res, 200, account ? { user: { email: account.email }, expires: '2099-01-01' } : {})
      return
    }
    if (path.startsWith('/api/trpc/')) {
      const procedure = path.slice('/api/trpc/'.length)
      if (!account) {
        sendJson(res, 401, procedure.split(',').map((p) => trpcError('UNAUTHORIZED', 'UNAUTHORIZED', p)))
        return
      }
      if (url.searchParams.get('batch') !== '1') {
        sendJson(res, 400, [trpcError('BAD_REQUEST', 'batch=1 expected', procedure)])
        return
      }
      handleTrpc(state, account, procedure, url, body?.['0']?.json, res)
      return
    }
    if (path === '/api/upload/sign' && req.method === 'POST') {
      if (!account) {
        sendJson(res, 401, { status: -5, message: 'not login', data: {} })
        return
      }
      const filename = String((body as Record<string, unknown> | undefined)?.filename ?? '')
      if (!/^\d{14}\.\w+$/.test(filename) || (body as Record<string, unknown>).type !== 'file') {
        sendJson(res, 400, { status: -1, message: 'invalid filename' })
        return
      }
      const key = `/s3/hix-chat-files/${randomUUID()}/${filename}`
      const date = String(Date.now())
      const expires = String(state.uploadTtlMs)
      const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${date}&X-Amz-Expires=${expires}&X-Amz-Signature=${sign(key, date, expires)}`
      sendJson(res, 200, { sign: `${origin}${key}?${query}` })
      return
    }
    if (path === '/api/hix/chat' && req.method === 'POST') {
      if (!account) {
        sendJson(res, 200, { status: -5, message: 'not login', data: {} })
        return
      }
      handleChat(state, account, origin, tryParse(text) as Record<string, unknown>, req, res)
      return
    }
    sendJson(res, 404, { message: 'not found' })
  })
  origin = server.url
  return { ...server, state }
}

function tryParse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return text
  }
}

function handleTrpc(
  state: FakeHixState,
  account: FakeHixAccount,
  procedure: string,
  url: URL,
  input: Record<string, unknown> | undefined,
  res: ServerResponse,
): void {
  if (procedure === 'hixChat.createChat') {
    const bot = bots.get(Number(input?.botId))
    if (!bot || input?.title !== 'Untitled') {
      sendJson(res, 400, [trpcError('BAD_REQUEST', 'invalid bot', procedure)])
      return
    }
    if (bot.tier === 'ADVANCED' && !account.subscribed) {
      sendJson(res, 403, [trpcError('FORBIDDEN', 'This bot requires a subscription', procedure, 'ADVANCED')])
      return
    }
    const chat: FakeHixChat = { id: randomUUID(), owner: account.token, botId: bot.botId, questions: [] }
    state.chats.set(chat.id, chat)
    sendJson(res, 200, [trpcOk({ id: chat.id })])
    return
  }
  if (procedure === 'hixChat.deleteChat') {
    const chat = state.chats.get(String(input?.id))
    if (!chat || chat.owner !== account.token) {
      sendJson(res, 404, [trpcError('NOT_FOUND', 'chat not found', procedure)])
      return
    }
    state.chats.delete(chat.id)
    sendJson(res, 200, [trpcOk(null)])
    return
  }
  if (procedure === 'hixChat.getUsedBotList,subLog.getSubLog,subUsage.getSubUsage') {
    const batchInput = tryParse(url.searchParams.get('input') ?? '') as Record<string, { json?: { appName?: string } }> | undefined
    const complete = batchInput && ['0', '1', '2', '3', '4', '5'].every((k) => k in batchInput)
    if (!complete || batchInput['4']?.json?.appName !== 'HIXChat') {
      sendJson(res, 400, [trpcError('BAD_REQUEST', 'invalid input', procedure)])
      return
    }
    const usageList = [
      { id: 1, total_count: account.credit + 10, use_count: 10, status: 'active', usage_type: 'STANDARD', app_name: 'HIXChat' },
      { id: 2, total_count: account.advancedCredit + 5, use_count: 5, status: 'active', usage_type: 'ADVANCED', app_name: 'HIXChat' },
    ]
    sendJson(res, 200, [trpcOk({ list: [] }), trpcOk({ logs: [] }), trpcOk({ usageList, isActiveSub: account.subscribed })])
    return
  }
  sendJson(res, 404, [trpcError('NOT_FOUND', `No procedure ${procedure}`, procedure)])
}

function handleUpload(state: FakeHixState, req: IncomingMessage, res: ServerResponse, url: URL, bytes: Buffer): void {
  const date = url.searchParams.get('X-Amz-Date') ?? ''
  const expires = url.searchParams.get('X-Amz-Expires') ?? ''
  const fail = (code: string) => {
    res.writeHead(403, { 'content-type': 'application/xml' })
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`)
  }
  if (req.method !== 'PUT') {
    fail('MethodNotAllowed')
    return
  }
  if (url.searchParams.get('X-Amz-Signature') !== sign(url.pathname, date, expires)) {
    fail('SignatureDoesNotMatch')
    return
  }
  if (Date.now() - Number(date) > Number(expires)) {
    fail('AccessDenied: Request has expired')
    return
  }
  const contentType = req.headers['content-type'] ?? ''
  if (!contentType.startsWith('image/') || !bytes.length) {
    fail('InvalidRequest')
    return
  }
  state.uploads.set(url.pathname, { bytes, contentType })
  res.writeHead(200)
  res.end()
}

function handleChat(
  state: FakeHixState,
  account: FakeHixAccount,
  origin: string,
  body: Record<string, unknown> | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const envelope = (status: number, message: string) => sendJson(res, 200, { status, message, data: {} })
  if (!(req.headers.accept ?? '').includes('text/event-stream')) {
    envelope(-1, 'stream expected')
    return
  }
  const chat = state.chats.get(String(body?.chatId))
  if (!chat || chat.owner !== account.token) {
    envelope(-1, 'chat not found')
    return
  }
  const question = String(body?.question ?? '')
  if (!question) {
    envelope(-1, 'question is required')
    return
  }
  const fileUrl = String(body?.fileUrl ?? '')
  if (fileUrl && (!fileUrl.startsWith(origin) || !state.uploads.has(fileUrl.slice(origin.length)))) {
    envelope(-1, 'invalid file')
    return
  }
  const searchType = body?.search === true ? String(body.searchType) : undefined
  if (searchType && !['internet', 'news', 'academic'].includes(searchType)) {
    envelope(-1, 'invalid searchType')
    return
  }
  const bot = bots.get(chat.botId)!
  const advanced = bot.tier === 'ADVANCED'
  const left = advanced ? account.advancedCredit : account.credit
  if ((advanced && !account.subscribed) || left < bot.cost) {
    envelope(-3, 'Insufficient credits, please upgrade your plan')
    return
  }
  if (advanced) account.advancedCredit -= bot.cost
  else account.credit -= bot.cost
  chat.questions.push({ question, fileUrl, ...(searchType ? { searchType } : {}) })
  const upload = fileUrl ? state.uploads.get(fileUrl.slice(origin.length)) : undefined
  const lines = chatReply(bot.id, chat.questions.length, question, searchType, upload?.bytes.length)
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
  let finished = false
  res.on('close', () => {
    if (!finished) state.abortedStreams++
  })
  const sent = state.stallAfter === undefined ? lines : lines.slice(0, state.stallAfter)
  for (const line of sent) res.write(line)
  if (state.stallAfter !== undefined) return // hang until the client hangs up
  finished = true
  res.end()
}
