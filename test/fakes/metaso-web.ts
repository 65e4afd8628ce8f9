// Fake metaso.cn: the home page with its meta-token (only for a document navigation), session
// creation checking cookies and the Token header, and the searchV2 event stream checking the
// session, mode and token, with its error variants.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type RunningServer, readBody, sendJson, startServer } from '../helpers/fake-server.js'

export type SearchVariant = 'normal' | 'rate_limit_json' | 'rate_limit_bare' | 'html' | 'json_envelope' | 'no_done' | 'stall'

export interface SessionRecord {
  question: string
  mode: string
  engineType: string
}

export interface FakeMetaso extends RunningServer {
  users: Map<string, { sid: string; nickname: string }>
  token: string
  /** Invalidate the current meta-token, as a new page build would. */
  rotateToken(): void
  /** `append-text` pieces of the answer. */
  answer: string[]
  variant: SearchVariant
  sessions: Map<string, SessionRecord>
  searches: Record<string, string>[]
  /** The uid cookie of every session request, accepted or not. */
  sessionAttempts: string[]
  homeFetches: number
  /** Serve the anti-bot shell (no meta-token) even to a navigation. */
  homeChallenge: boolean
  closedEarly: number
}

const MODES = new Set(['concise', 'detail', 'research'])

export async function startFakeMetaso(): Promise<FakeMetaso> {
  let tokenSeq = 1
  let sessionSeq = 8466827997659213824n
  const fake = {
    users: new Map<string, { sid: string; nickname: string }>(),
    token: 'meta-1',
    rotateToken() {
      fake.token = `meta-${++tokenSeq}`
    },
    answer: ['[[1]]hello ', 'world'],
    variant: 'normal' as SearchVariant,
    sessions: new Map<string, SessionRecord>(),
    searches: [] as Record<string, string>[],
    sessionAttempts: [] as string[],
    homeFetches: 0,
    homeChallenge: false,
    closedEarly: 0,
  }

  const cookiesOf = (req: IncomingMessage) =>
    new Map(
      (req.headers.cookie ?? '').split(';').map((p) => {
        const [k, ...v] = p.trim().split('=')
        return [k ?? '', v.join('=')] as const
      }),
    )
  const user = (req: IncomingMessage) => {
    const cookies = cookiesOf(req)
    const found = fake.users.get(cookies.get('uid') ?? '')
    return found && found.sid === cookies.get('sid') ? found : undefined
  }

  function home(req: IncomingMessage, res: ServerResponse) {
    fake.homeFetches++
    const navigation =
      !fake.homeChallenge && req.headers['sec-fetch-mode'] === 'navigate' && req.headers['sec-fetch-dest'] === 'document'
    // Non-navigation fetches get the anti-bot shell without the token, as a script would.
    const meta = navigation ? `<meta id="meta-token" content="${fake.token}"/>` : ''
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(`<!DOCTYPE html><html><head><title>秘塔AI搜索</title>${meta}</head><body><div id="__next"></div></body></html>`)
  }

  function session(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    fake.sessionAttempts.push(cookiesOf(req).get('uid') ?? '')
    if (!user(req)) return sendJson(res, 401, { errCode: 401, errMsg: '用户未登录' })
    if (req.headers.token !== fake.token) return sendJson(res, 200, { errCode: 4001, errMsg: 'token 无效' })
    if (req.headers['is-mini-webview'] !== '0') return sendJson(res, 200, { errCode: 400, errMsg: 'missing Is-Mini-Webview' })
    const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>
    if (typeof body.question !== 'string' || !MODES.has(String(body.mode)) || !['', 'scholar'].includes(String(body.engineType)))
      return sendJson(res, 200, { errCode: 400, errMsg: 'bad session body' })
    const id = String(++sessionSeq)
    fake.sessions.set(id, { question: body.question, mode: String(body.mode), engineType: String(body.engineType) })
    sendJson(res, 200, { errCode: 0, data: { id } })
  }

  function search(req: IncomingMessage, res: ServerResponse) {
    const q = Object.fromEntries(new URL(req.url ?? '', 'http://x').searchParams)
    fake.searches.push(q)
    const s = fake.sessions.get(q.sessionId ?? '')
    if (!user(req)) return sendJson(res, 401, { errCode: 401, errMsg: '用户未登录' })
    if (q.token !== fake.token || !s || s.mode !== q.mode || s.question !== q.question || req.headers.accept !== 'text/event-stream')
      return sendJson(res, 200, { errCode: 4001, errMsg: 'invalid search request' })
    if (s.engineType !== (q.engineType ?? '')) return sendJson(res, 200, { errCode: 400, errMsg: 'engineType mismatch' })
    const variant = fake.variant
    if (variant === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html><title>Just a moment...</title></html>')
      return
    }
    if (variant === 'json_envelope') return sendJson(res, 200, { errCode: 0, data: { answer: 'not a stream' } })
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' })
    let finished = false
    res.on('close', () => {
      if (!finished) fake.closedEarly++
    })
    if (variant === 'rate_limit_json') {
      res.end('data:{"type":"error","code":"TOO_MANY_REQUESTS","msg":"请求过于频繁"}\n\n')
      finished = true
      return
    }
    if (variant === 'rate_limit_bare') {
      res.end('data:TOO_MANY_REQUESTS\n\n')
      finished = true
      return
    }
    res.write('data:{"type":"heartbeat"}\n\n')
    res.write(`data: ${JSON.stringify({ type: 'set-reference', list: [{ title: '来源一', link: 'https://a.example/1' }] })}\n\n`)
    for (const text of fake.answer) {
      res.write(`data:${JSON.stringify({ type: 'append-text', text })}\n\n`)
      if (variant === 'stall') return // hold the stream open; the client must abort
    }
    res.write(`data: ${JSON.stringify({ type: 'reference', title: '来源二', url: 'https://b.example/2' })}\n\n`)
    if (variant !== 'no_done') res.write('data:[DONE]\n\n')
    finished = true
    res.end()
  }

  const server = await startServer(async (req, res): Promise<void> => {
    const path = (req.url ?? '').split('?')[0]
    const raw = await readBody(req)
    if (path === '/' && req.method === 'GET') return home(req, res)
    if (path === '/api/session' && req.method === 'POST') return session(req, res, raw)
    if (path === '/api/searchV2' && req.method === 'GET') return search(req, res)
    if (path === '/api/my-info') {
      const u = user(req)
      if (req.headers['is-mini-webview'] !== '0') return sendJson(res, 200, { errCode: 400, errMsg: 'missing Is-Mini-Webview' })
      return u ? sendJson(res, 200, { errCode: 0, data: { user: { nickname: u.nickname } } }) : sendJson(res, 200, { errCode: 401, errMsg: '请先登录' })
    }
    sendJson(res, 404, { errCode: 404, errMsg: 'not found' })
  })
  return Object.assign(fake, server)
}
