// MiniMax credentials (`realUserID+JWT`), envelopes, and the cached device registration.
import { createHash } from 'node:crypto'
import { protocolError } from '../../src/kit/errors.js'
import { type HttpResponse, upstreamMessage } from '../../src/kit/http.js'
import { tryJson } from '../../src/kit/json.js'
import { decodeJwtPayload, pickPastedValue } from '../../src/kit/pasted-secret.js'
import { SingleFlight, acrossInstances } from '../../src/kit/single-flight.js'
import type { CallContext } from '../../src/kit/types.js'
import { type MinimaxSettings, PROVIDER_ID } from './constants.js'
import { type Envelope, classifyEnvelope, envelopeOk } from './parse.js'
import { quoteBigIds } from './sign.js'

export type MinimaxContext = CallContext<MinimaxSettings>

export interface MinimaxCredential {
  jwt: string
  /** Account id the web app sends as uuid/user_id; new accounts fail without it. */
  realUserId?: string
}

const looksLikeJwt = (s: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(s)

function userIdFromJwt(jwt: string): string | undefined {
  const user = decodeJwtPayload(jwt)?.user as { id?: unknown } | undefined
  return typeof user?.id === 'string' || typeof user?.id === 'number' ? String(user.id) : undefined
}

export function parseCredential(secret: string): MinimaxCredential {
  const plus = secret.indexOf('+')
  if (plus > 0 && looksLikeJwt(secret.slice(plus + 1))) {
    return { realUserId: secret.slice(0, plus), jwt: secret.slice(plus + 1) }
  }
  const realUserId = userIdFromJwt(secret)
  return realUserId ? { jwt: secret, realUserId } : { jwt: secret }
}

/** Find `realUserID` anywhere, including inside JSON strings (localStorage holds JSON in JSON). */
function findRealUserId(value: unknown, depth = 0): string | undefined {
  if (depth > 4 || value == null) return undefined
  if (typeof value === 'string') {
    return value.trim().startsWith('{') ? findRealUserId(tryJson(value), depth + 1) : undefined
  }
  if (typeof value !== 'object') return undefined
  const obj = value as Record<string, unknown>
  const direct = obj.realUserID ?? obj.realUserId
  if (typeof direct === 'string' || typeof direct === 'number') return String(direct)
  for (const v of Object.values(obj)) {
    const hit = findRealUserId(v, depth + 1)
    if (hit) return hit
  }
  return undefined
}

/** Accepts `realUserID+JWT`, a bare JWT, `_token=...`, or localStorage JSON; yields `id+jwt` or `jwt`. */
export function normalizeSecret(raw: string): string {
  const text = raw.trim()
  const plus = text.indexOf('+')
  if (plus > 0 && !text.startsWith('{') && looksLikeJwt(text.slice(plus + 1).trim())) {
    return `${text.slice(0, plus).trim()}+${text.slice(plus + 1).trim()}`
  }
  const jwt = pickPastedValue(text, ['_token', 'token'])
  const realUserId = findRealUserId(text) ?? userIdFromJwt(jwt)
  return realUserId && realUserId !== userIdFromJwt(jwt) ? `${realUserId}+${jwt}` : jwt
}

/** Read a JSON envelope; a non-JSON answer (HTML challenge, block page) names the provider. */
export async function readEnvelope(res: HttpResponse): Promise<Envelope> {
  const text = await res.text()
  const env = tryJson(quoteBigIds(text)) as Envelope | undefined
  if (!env || typeof env !== 'object')
    throw protocolError(`${PROVIDER_ID}: expected JSON, got ${upstreamMessage(text, res.status)} (HTTP ${res.status})`, {
      provider: PROVIDER_ID,
      upstreamStatus: res.status,
    })
  return env
}

/** Envelope of a call that must succeed: any failure becomes its typed error. */
export async function expectOk(res: HttpResponse, hasRealUserId: boolean): Promise<Envelope> {
  const env = await readEnvelope(res)
  if (res.status >= 400 || !envelopeOk(env)) throw classifyEnvelope(env, res.status, hasRealUserId)
  return env
}

export const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16)

export interface Device {
  deviceId: string
  /** realUserID as the credential gave it or registration returned it. */
  realUserId?: string
}

export type Register = () => Promise<{ deviceId: string; realUserId?: string }>

/**
 * Device ids are registered once per credential and flow (across instances too), cached in state,
 * shared by callers. `rejected` is a device id the server just said it does not know: a different
 * stored one (registered meanwhile by another caller) is used instead, else the device registers again.
 */
export class DeviceCache {
  private readonly flights = new SingleFlight<Device>()
  registrations = 0

  async get(ctx: MinimaxContext, cred: MinimaxCredential, register: Register, rejected?: string): Promise<Device> {
    const owner = `${ctx.settings.flow}:${digest(ctx.credential.secret)}`
    const cached = this.stored(ctx, cred, owner, rejected)
    if (cached) return cached
    const key = `${ctx.credential.id ?? 'pass'}:${owner}`
    return this.flights.run(key, () =>
      // The lock re-reads the stored state: another instance may have registered meanwhile.
      acrossInstances(ctx, async () => this.stored(ctx, cred, owner, rejected) ?? this.register(ctx, cred, owner, register)),
    )
  }

  private stored(ctx: MinimaxContext, cred: MinimaxCredential, owner: string, rejected: string | undefined): Device | undefined {
    const s = ctx.credential.state
    if (s.deviceOf !== owner || typeof s.deviceId !== 'string' || s.deviceId === rejected || !(Number(s.deviceExpiresAt) > Date.now())) return undefined
    const realUserId = cred.realUserId ?? (typeof s.realUserId === 'string' ? s.realUserId : undefined)
    return realUserId ? { deviceId: s.deviceId, realUserId } : { deviceId: s.deviceId }
  }

  private async register(ctx: MinimaxContext, cred: MinimaxCredential, owner: string, register: Register): Promise<Device> {
    this.registrations++
    const got = await register()
    const realUserId = cred.realUserId ?? got.realUserId
    ctx.saveState({
      deviceId: got.deviceId,
      deviceOf: owner,
      deviceExpiresAt: Date.now() + ctx.settings.device_ttl_s * 1000,
      ...(realUserId ? { realUserId } : {}),
    })
    return realUserId ? { deviceId: got.deviceId, realUserId } : { deviceId: got.deviceId }
  }
}
