// A fake chat.deepseek.com (/api/v0) with the server-side checks the real one makes: token,
// client version floor, the WAF cookies (when configured), required fields, single-use signed PoW
// challenges bound to their target path, session ownership, message threading and vision files.
// Streams come from deepseek-web-streams.ts, file calls from deepseek-web-files.ts.
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { deepseekHashV1, powPrefix } from '../../providers/deepseek-web/hash.js'
import { type RunningServer, readJson, sendJson, startServer } from '../helpers/fake-server.js'
import { type FakeFile, type FileOptions, fetchFiles, refFilesProblem, uploadFile } from './deepseek-web-files.js'
import { cookiesOf, versionAtLeast, wafChallenge } from './deepseek-web-gate.js'
import { type AnswerPlan, type Closing, type Generation, STREAM_BUILDERS, continueStream } from './deepseek-web-streams.js'
import { offeredTools, webAgentAnswer } from './web-agent.js'

/** Real: spec §1.1. */
export const TOKEN_INVALID = { code: 40003, msg: 'Authorization Failed (invalid token)', data: null }
export const CLIENT_TOO_OLD = { code: 40005, msg: 'CLIENT_VERSION_TOO_LOW', data: null }
/** No peer has seen DeepSeek's PoW rejection (spec §7): codes invented, messages name the PoW. */
export const POW_ERRORS = {
  missing: { code: 40300, msg: 'MISSING_HEADER: x-ds-pow-response', data: null },
  invalid: { code: 40301, msg: 'INVALID_POW_RESPONSE', data: null },
  expired: { code: 40302, msg: 'POW_CHALLENGE_EXPIRED', data: null },
  wrongTarget: { code: 40303, msg: 'INVALID_POW_RESPONSE: target_path mismatch', data: null },
}
const biz = (code: number, msg: string) => ({ code: 0, msg: '', data: { biz_code: code, biz_msg: msg, biz_data: null } })
const ok = (bizData: unknown) => ({ code: 0, msg: '', data: { biz_code: 0, biz_msg: '', biz_data: bizData } })

export type Reply =
  | { kind: 'sse'; body: string }
  | { kind: 'json'; body: unknown; status?: number }
  | { kind: 'html' }
  /** Start answering, then never finish: for abort tests. */
  | { kind: 'hang' }
  /** The default answer cut short with INCOMPLETE after `after` characters. */
  | { kind: 'incomplete'; after: number }

export interface FakeDeepseekOptions {
  userTokens?: string[]
  sessionIdShape?: 'nested' | 'legacy'
  generation?: Generation
  difficulty?: number
  challengeTtlMs?: number
  /** Issue challenges for another target path than asked (the client must echo it back). */
  issueTargetPath?: string
  /** The x-client-version floor; older clients get 40005 CLIENT_VERSION_TOO_LOW. */
  minClientVersion?: string
  /** Cookies every call must carry (the WAF token, the session cookie); others get the WAF challenge page. */
  requireCookies?: Record<string, string>
  /** How a finished answer closes: `classic` (finish + title events) or `2026` (neither, as captured). */
  closing?: Closing
  /** Vision files: PENDING for this many polls, then this status. */
  files?: Partial<FileOptions>
}

interface Session {
  owner: string
  lastResponseId: number
  deleted: boolean
  /** The tools the conversation's prompt offered (Freeway's tool emulation lists them once). */
  tools: string[]
}

export interface CompletionRecord {
  path: string
  body: Record<string, unknown>
}

type Optional = 'issueTargetPath' | 'requireCookies' | 'files'
export interface FakeDeepseek extends RunningServer {
  options: Required<Omit<FakeDeepseekOptions, Optional>> & Pick<FakeDeepseekOptions, Optional>
  files: Map<string, FakeFile>
  /** ds_session_id values the fake set through Set-Cookie (the site rotates it). */
  issuedSessionCookies: string[]
  calls: { path: string; headers: IncomingMessage['headers'] }[]
  completions: CompletionRecord[]
  sessions: Map<string, Session>
  deleted: string[]
  /** Replies for the next completions, in order; the default answer afterwards. */
  next: Reply[]
  earlyCloses: number
  /** Resolves when a client drops a stream before it ended. */
  waitForEarlyClose(): Promise<void>
  /** Invalidate every session token handed out so far. */
  revokeSessionTokens(): void
}

const SIGNING_KEY = randomBytes(16)
const sign = (c: Record<string, unknown>) =>
  createHmac('sha256', SIGNING_KEY).update(`${c.challenge}|${c.salt}|${c.expire_at}|${c.difficulty}|${c.target_path}`).digest('hex')

export async function startFakeDeepseek(opts: FakeDeepseekOptions = {}): Promise<FakeDeepseek> {
  const options = {
    userTokens: ['user-token-a'],
    sessionIdShape: 'nested' as const,
    generation: 'fragments' as const,
    difficulty: 1000,
    challengeTtlMs: 300_000,
    minClientVersion: '2.0.0',
    closing: 'classic' as Closing,
    ...opts,
  }
  const fileOptions: FileOptions = { pendingPolls: 1, finalStatus: 'SUCCESS', ...opts.files }
  const sessionTokens = new Map<string, string>()
  const challenges = new Map<string, Record<string, unknown>>()
  const incomplete = new Map<string, AnswerPlan>()
  const earlyWaiters: (() => void)[] = []

  const fake = {} as FakeDeepseek
  const send = (res: ServerResponse, body: unknown, status = 200) => sendJson(res, status, body)

  function checkPow(req: IncomingMessage, path: string): object | undefined {
    const header = req.headers['x-ds-pow-response']
    if (typeof header !== 'string') return POW_ERRORS.missing
    let answer: Record<string, unknown>
    try {
      answer = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Record<string, unknown>
    } catch {
      return POW_ERRORS.invalid
    }
    const issued = challenges.get(String(answer.challenge))
    if (!issued || answer.salt !== issued.salt || answer.signature !== sign(issued)) return POW_ERRORS.invalid
    challenges.delete(String(answer.challenge)) // single use
    if (answer.target_path !== issued.target_path || issued.target_path !== path) return POW_ERRORS.wrongTarget
    if (Number(issued.expire_at) <= Date.now()) return POW_ERRORS.expired
    const n = answer.answer
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= Number(issued.difficulty)) return POW_ERRORS.invalid
    if (deepseekHashV1(powPrefix(String(issued.salt), Number(issued.expire_at)) + n) !== issued.challenge) return POW_ERRORS.invalid
    return undefined
  }

  function planFor(sessionId: string, session: Session, body: Record<string, unknown>): AnswerPlan {
    const prompt = String(body.prompt)
    const lastLine = prompt.split(/<｜User｜>|\n/).at(-1) ?? prompt
    const offered = offeredTools(prompt)
    if (offered.length) session.tools = offered
    const agentAnswer = webAgentAnswer(prompt.split('<｜User｜>').at(-1) ?? prompt, session.tools)
    const turn = session.lastResponseId / 2 + 1
    const search = body.search_enabled === true
    const files = (body.ref_file_ids as string[]).map((id) => fake.files.get(id)!)
    const seen = files.length ? `（看到${files.length}张图：${files.map((f) => `${f.mime} ${f.bytes}字节`).join('，')}）` : ''
    return {
      sessionId,
      requestMessageId: session.lastResponseId + 1,
      responseMessageId: session.lastResponseId + 2,
      reasoning: body.thinking_enabled ? `用户在第${turn}轮说“${lastLine}”，我来想想。` : '',
      answer: agentAnswer ?? (search ? `第${turn}轮回答[citation:1]：${lastLine}[citation:2]。` : `第${turn}轮回答${seen}：${lastLine}。`),
      sources: search
        ? [
            { url: 'https://example.cn/a', title: '来源甲' },
            { url: 'https://example.cn/b', title: '来源乙' },
          ]
        : [],
      modelType: String(body.model_type ?? 'default'),
      promptChars: [...prompt].length,
      closing: options.closing,
    }
  }

  async function stream(res: ServerResponse, events: string[], hang = false): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
    let finished = false
    res.on('close', () => {
      if (finished) return
      fake.earlyCloses++
      for (const w of earlyWaiters.splice(0)) w()
    })
    for (const e of events) {
      if (res.destroyed) return
      res.write(e)
      await new Promise((r) => setImmediate(r))
    }
    if (hang) return
    finished = true
    res.end()
  }

  async function chatCall(req: IncomingMessage, res: ServerResponse, path: string, owner: string): Promise<void> {
    const body = await readJson(req)
    const required = path.endsWith('/completion') ? ['chat_session_id', 'prompt'] : ['chat_session_id', 'message_id']
    const missing = required.find((f) => !(f in body))
    if (missing) return send(res, { detail: [{ loc: `body.${missing}`, msg: 'Field required' }] }, 422)
    const powError = checkPow(req, path)
    if (powError) return send(res, powError)
    const sessionId = String(body.chat_session_id)
    const session = fake.sessions.get(sessionId)
    if (!session || session.deleted || session.owner !== owner) return send(res, biz(1, 'ILLEGAL_CHAT_SESSION_ID'))
    const fileProblem = path.endsWith('/completion') ? refFilesProblem(body, owner, fake.files) : undefined
    if (fileProblem) return send(res, biz(9, `INVALID_REF_FILE_ID: ${fileProblem}`))
    fake.completions.push({ path, body })
    if (path.endsWith('/continue')) {
      const plan = incomplete.get(`${sessionId}@${body.message_id}`)
      if (!plan) return send(res, biz(26, 'invalid message id'))
      incomplete.delete(`${sessionId}@${body.message_id}`)
      return stream(res, continueStream(plan))
    }
    const parent = body.parent_message_id ?? null
    if (parent !== (session.lastResponseId || null)) return send(res, biz(26, 'invalid message id'))
    const reply = fake.next.shift()
    if (reply?.kind === 'json') return send(res, reply.body, reply.status)
    if (reply?.kind === 'html') {
      res.writeHead(403, { 'content-type': 'text/html' })
      return void res.end('<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>')
    }
    const plan = planFor(sessionId, session, body)
    session.lastResponseId = plan.responseMessageId
    if (!reply) return stream(res, STREAM_BUILDERS[options.generation](plan))
    if (reply.kind === 'sse') return stream(res, [reply.body])
    if (reply.kind === 'hang') return stream(res, STREAM_BUILDERS.fragments(plan).slice(0, 5), true)
    const cut = { ...plan, stopAfter: reply.after }
    incomplete.set(`${sessionId}@${plan.responseMessageId}`, cut)
    return stream(res, STREAM_BUILDERS.fragments(cut))
  }

  /** The WAF sits in front of everything: the configured cookies, ds_session_id also as (re)issued. */
  function passesWaf(req: IncomingMessage): boolean {
    if (!options.requireCookies) return true
    const jar = cookiesOf(req)
    return Object.entries(options.requireCookies).every(
      ([name, value]) => jar.get(name) === value || (name === 'ds_session_id' && fake.issuedSessionCookies.includes(jar.get(name) ?? '')),
    )
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake')
    const path = url.pathname
    fake.calls.push({ path, headers: req.headers })
    if (!passesWaf(req)) return wafChallenge(res)
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
    if (!versionAtLeast(req.headers['x-client-version'] as string | undefined, options.minClientVersion)) return send(res, CLIENT_TOO_OLD)
    if (path === '/api/v0/users/current') {
      if (!options.userTokens.includes(bearer)) return send(res, TOKEN_INVALID)
      const token = `session-${randomUUID()}`
      sessionTokens.set(token, bearer)
      const cookie = `ds_session_id=${randomUUID().replace(/-/g, '')}`
      fake.issuedSessionCookies.push(cookie.split('=')[1]!)
      const headers = options.requireCookies ? { 'set-cookie': `${cookie}; Path=/; Secure; HttpOnly; SameSite=Lax` } : undefined
      return sendJson(res, 200, ok({ id: 'u-1', email: `${bearer}@example.com`, mobile_number: null, token }), headers)
    }
    const owner = sessionTokens.get(bearer)
    if (!owner) return send(res, TOKEN_INVALID)
    if (path === '/api/v0/chat_session/create') {
      await readJson(req)
      const id = randomUUID()
      fake.sessions.set(id, { owner, lastResponseId: 0, deleted: false, tools: [] })
      const session = { id, seq_id: 1, agent: 'chat', model_type: 'default', title_type: 'WIP', current_message_id: null }
      return send(res, ok(options.sessionIdShape === 'nested' ? { chat_session: session, ttl_seconds: 259200 } : { id }))
    }
    if (path === '/api/v0/chat_session/delete') {
      const body = await readJson(req)
      const session = fake.sessions.get(String(body.chat_session_id))
      if (!session || session.owner !== owner) return send(res, biz(1, 'ILLEGAL_CHAT_SESSION_ID'))
      session.deleted = true
      fake.deleted.push(String(body.chat_session_id))
      return send(res, ok(null))
    }
    if (path === '/api/v0/chat/create_pow_challenge') {
      const body = await readJson(req)
      if (typeof body.target_path !== 'string') return send(res, { detail: [{ loc: 'body.target_path' }] }, 422)
      const salt = randomBytes(10).toString('hex')
      const expireAt = Date.now() + options.challengeTtlMs
      const answer = Math.floor(Math.random() * options.difficulty)
      const c: Record<string, unknown> = {
        algorithm: 'DeepSeekHashV1',
        challenge: deepseekHashV1(powPrefix(salt, expireAt) + answer),
        salt,
        difficulty: options.difficulty,
        expire_at: expireAt,
        expire_after: options.challengeTtlMs,
        target_path: options.issueTargetPath ?? body.target_path,
      }
      c.signature = sign(c)
      challenges.set(String(c.challenge), c)
      return send(res, ok({ challenge: c }))
    }
    if (path === '/api/v0/chat/completion' || path === '/api/v0/chat/continue') return chatCall(req, res, path, owner)
    if (path === '/api/v0/file/upload_file') {
      const powError = checkPow(req, path)
      if (powError) return send(res, powError)
      return uploadFile(req, res, owner, fake.files, fileOptions)
    }
    if (path === '/api/v0/file/fetch_files' && req.method === 'GET') return fetchFiles(url, res, owner, fake.files)
    return send(res, { detail: 'Not Found' }, 404)
  }

  const server = await startServer(handle)
  return Object.assign(fake, server, {
    options,
    calls: [],
    files: new Map<string, FakeFile>(),
    issuedSessionCookies: [],
    completions: [],
    sessions: new Map<string, Session>(),
    deleted: [],
    next: [],
    earlyCloses: 0,
    waitForEarlyClose: () => new Promise<void>((resolve) => earlyWaiters.push(resolve)),
    revokeSessionTokens: () => sessionTokens.clear(),
  })
}
