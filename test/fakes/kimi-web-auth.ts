// Fake Kimi accounts (updates-2026 §1): the Aug 2026 login model with ~15-minute access JWTs and
// one-use rotating refresh JWTs, renewed by the Connect AuthService/RefreshToken call (and the
// legacy REST refresh where the test keeps it alive), plus the old 30-day `kimi-auth` cookie JWT.
// Time is the fake's own clock, which tests move forward instead of sleeping.
import { createHmac } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson } from '../helpers/fake-server.js'

const JWT_KEY = 'fake-kimi-signing-key'
const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url')
let serial = 0

function sign(claims: Record<string, unknown>, alg = 'HS256'): string {
  const head = `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`
  return `${head}.${createHmac('sha256', JWT_KEY).update(head).digest('base64url')}`
}

/** A kimi-auth style JWT (the old cookie, `iss:"user-center"`) signed with the fake's key. */
export function makeKimiJwt(claims: Record<string, unknown> = {}): string {
  return sign({
    iss: 'user-center',
    typ: 'access',
    app_id: 'kimi',
    sub: 'user-1',
    ssid: '1730000000000000001',
    device_id: '7300000000000000001',
    exp: Math.floor(Date.now() / 1000) + 3600,
    ...claims,
  })
}

export function verifyKimiJwt(token: string): Record<string, unknown> | undefined {
  const [h, p, sig] = token.split('.')
  if (!h || !p || !sig || createHmac('sha256', JWT_KEY).update(`${h}.${p}`).digest('base64url') !== sig) return undefined
  return JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>
}

export interface KimiIdentity {
  sub: string
  ssid: string
  device_id: string
}

export interface RefreshRecord {
  via: 'connect' | 'rest'
  token: string
  headers: IncomingMessage['headers']
  body: Record<string, unknown> | undefined
  status: number
}

export class KimiAuth {
  /** The fake's clock offset from wall time, moved by advance(). */
  offsetMs = 0
  /** Lifetime of issued access tokens (`exp - iat`). */
  accessTtlS = 900
  /** `gone` plays a host without the procedure (404), for the REST fallback; `down` a 503. */
  connectRefresh: 'live' | 'gone' | 'down' = 'live'
  /** The legacy REST refresh; sources disagree on whether it still answers. */
  restRefresh: 'live' | 'gone' = 'live'
  /** Key style of the refresh answer (the notes say parsers meet all three). */
  answerStyle: 'camel' | 'snake' | 'data' = 'camel'
  /** Unused refresh tokens → the account they belong to. */
  readonly liveRefresh = new Map<string, KimiIdentity>()
  readonly usedRefresh = new Set<string>()
  readonly revokedSubs = new Set<string>()
  readonly refreshes: RefreshRecord[] = []

  now(): number {
    return Date.now() + this.offsetMs
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000
  }

  /** A fresh login: an access token and its refresh token (what the page keeps in localStorage). */
  login(identity: Partial<KimiIdentity> = {}): { accessToken: string; refreshToken: string } {
    const id: KimiIdentity = { sub: 'user-1', ssid: '1730000000000000001', device_id: '7300000000000000001', ...identity }
    return this.issue(id)
  }

  private issue(id: KimiIdentity): { accessToken: string; refreshToken: string } {
    const iat = Math.floor(this.now() / 1000)
    const jti = `t${++serial}`
    // Access tokens of the new model carry no device_id (KimiCodeBar-Windows#16).
    const accessToken = sign({ iss: 'account-nt', sub: id.sub, ssid: id.ssid, iat, exp: iat + this.accessTtlS, jti })
    const refreshToken = sign(
      { iss: 'account', aud: ['kimi.ai'], typ: 'refresh', app_id: 'kimi', ...id, region: 'overseas', iat, exp: iat + 7_776_000, jti },
      'HS512',
    )
    this.liveRefresh.set(refreshToken, id)
    return { accessToken, refreshToken }
  }

  /** Claims of a Bearer the apiv2 side accepts: a live new access token or an old kimi-auth JWT. */
  verifyAccess(token: string): Record<string, unknown> | undefined {
    const claims = verifyKimiJwt(token)
    if (!claims || Number(claims.exp) * 1000 <= this.now() || this.revokedSubs.has(String(claims.sub))) return undefined
    if (claims.iss === 'account-nt') return claims
    if (claims.iss === 'user-center' && claims.app_id === 'kimi' && claims.typ === 'access') return claims
    return undefined
  }

  /** Spend a refresh token: one use only; a reused, forged or expired one gets 401 "invalid claims". */
  private rotate(token: string): { accessToken: string; refreshToken: string } | undefined {
    const id = this.liveRefresh.get(token)
    const claims = verifyKimiJwt(token)
    if (!id || !claims || Number(claims.exp) * 1000 <= this.now() || this.revokedSubs.has(id.sub)) return undefined
    this.liveRefresh.delete(token)
    this.usedRefresh.add(token)
    return this.issue(id)
  }

  private answer(res: ServerResponse, pair: { accessToken: string; refreshToken: string }, style = this.answerStyle) {
    if (style === 'snake') return sendJson(res, 200, { access_token: pair.accessToken, refresh_token: pair.refreshToken })
    if (style === 'data') return sendJson(res, 200, { data: pair })
    return sendJson(res, 200, pair)
  }

  /** `POST /api/account.gateway.v1.AuthService/RefreshToken` (Connect unary, JSON). */
  connect(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    const body = parse(raw)
    const token = typeof body?.refresh_token === 'string' ? body.refresh_token : typeof body?.refreshToken === 'string' ? body.refreshToken : ''
    const record: RefreshRecord = { via: 'connect', token, headers: req.headers, body, status: 0 }
    this.refreshes.push(record)
    const reply = (status: number, json: unknown) => {
      record.status = status
      sendJson(res, status, json)
    }
    if (this.connectRefresh === 'gone') {
      record.status = 404
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('404 page not found')
      return
    }
    if (this.connectRefresh === 'down') return reply(503, { code: 'unavailable', message: 'upstream connect error' })
    if (req.method !== 'POST') return reply(405, { code: 'unimplemented', message: 'POST only' })
    if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return reply(415, { code: 'invalid_argument', message: 'json expected' })
    if (!body || !token) return reply(400, { code: 'invalid_argument', message: 'refresh_token required' })
    const pair = this.rotate(token)
    if (!pair) return reply(401, { code: 'unauthenticated', message: 'invalid claims' })
    record.status = 200
    this.answer(res, pair)
  }

  /** The legacy REST refresh for the rotating tokens: `GET /api/auth/token/refresh` with Bearer. */
  rest(req: IncomingMessage, res: ServerResponse, token: string) {
    const record: RefreshRecord = { via: 'rest', token, headers: req.headers, body: undefined, status: 0 }
    this.refreshes.push(record)
    if (this.restRefresh === 'gone') {
      record.status = 404
      return sendJson(res, 404, { error_type: 'not_found', message: 'not found' })
    }
    const pair = this.rotate(token)
    record.status = pair ? 200 : 401
    if (!pair) return sendJson(res, 401, { error_type: 'auth.token.invalid', message: 'invalid claims' })
    this.answer(res, pair, 'snake')
  }
}

function parse(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(raw.toString('utf8')) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
