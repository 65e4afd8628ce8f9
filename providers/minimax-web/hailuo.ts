// The legacy hailuoai.com flow: `Token` header, Yy-signed calls, multipart chat, cumulative SSE.
import { randomBytes, randomUUID } from 'node:crypto'
import { protocolError } from '../../src/kit/errors.js'
import type { HttpResponse } from '../../src/kit/http.js'
import { type Device, type DeviceCache, type MinimaxContext, type MinimaxCredential, expectOk, readEnvelope } from './auth.js'
import { HAILUO_PATHS, PROVIDER_ID } from './constants.js'
import { classifyEnvelope } from './parse.js'
import { hailuoChatBodyPart, hailuoQuery, hailuoUnix, yySign } from './sign.js'

const SENTRY_RELEASE = 'CI7N-1MjJnx5pru-bzzhR'
const SENTRY_KEY = '6cf106db5c7b7262eae7cc6b411c776a'

const origin = (ctx: MinimaxContext) => ctx.settings.hailuo_url

/** The legacy query's uuid: the JWT's user id, else a random one kept for this credential. */
export function hailuoUserId(ctx: MinimaxContext, cred: MinimaxCredential): string {
  if (cred.realUserId) return cred.realUserId
  const kept = ctx.credential.state.hailuoUserId
  if (typeof kept === 'string' && kept) return kept
  const id = randomUUID()
  ctx.saveState({ hailuoUserId: id })
  return id
}

function hailuoHeaders(cred: MinimaxCredential, yy: string): Record<string, string> {
  const trace = randomBytes(16).toString('hex')
  return {
    token: cred.jwt,
    yy,
    referer: 'https://hailuoai.com/',
    origin: 'https://hailuoai.com',
    baggage: `sentry-environment=production,sentry-release=${SENTRY_RELEASE},sentry-public_key=${SENTRY_KEY},sentry-trace_id=${trace},sentry-sample_rate=1,sentry-sampled=true`,
    'sentry-trace': `${trace}-${randomBytes(8).toString('hex')}-1`,
  }
}

async function hailuoSend(ctx: MinimaxContext, cred: MinimaxCredential, path: string, method: string, body: unknown, device?: Device) {
  const unixMs = hailuoUnix()
  const query = hailuoQuery({ userId: hailuoUserId(ctx, cred), deviceId: device?.deviceId, unixMs })
  const bodyJson = JSON.stringify(body ?? {})
  return ctx.http.request(`${origin(ctx)}${path}?${query}`, {
    method,
    ...(method === 'POST' ? { body: bodyJson } : {}),
    headers: { ...hailuoHeaders(cred, yySign(path, query, bodyJson, unixMs)), 'content-type': 'application/json' },
    signal: ctx.signal,
  })
}

/** The registered device; `rejected`: a device id the server no longer knows. */
export async function hailuoDevice(ctx: MinimaxContext, cred: MinimaxCredential, devices: DeviceCache, rejected?: string): Promise<Device> {
  return devices.get(ctx, cred, async () => {
    const res = await hailuoSend(ctx, cred, HAILUO_PATHS.register, 'POST', { uuid: hailuoUserId(ctx, cred) })
    const env = await expectOk(res, true)
    const deviceId = env.data?.deviceIDStr
    if (typeof deviceId !== 'string' || !deviceId)
      throw protocolError(`${PROVIDER_ID}: device registration without deviceIDStr`, { provider: PROVIDER_ID })
    return { deviceId }
  }, rejected)
}

export function multipart(fields: readonly (readonly [string, string])[], boundary: string): Uint8Array {
  const parts = fields.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  )
  return new TextEncoder().encode(`${parts.join('')}--${boundary}--\r\n`)
}

/** Send the multipart chat message; returns the SSE response, or throws what the server said. */
export async function openHailuoChat(
  ctx: MinimaxContext,
  cred: MinimaxCredential,
  device: Device,
  msgContent: string,
  chatId: string | undefined,
): Promise<HttpResponse> {
  const fields = { characterID: '1', msgContent, chatID: chatId ?? '0' }
  const unixMs = hailuoUnix()
  const query = hailuoQuery({ userId: hailuoUserId(ctx, cred), deviceId: device.deviceId, unixMs })
  const boundary = `----WebKitFormBoundary${randomBytes(8).toString('hex')}`
  const res = await ctx.http.request(`${origin(ctx)}${HAILUO_PATHS.chat}?${query}`, {
    method: 'POST',
    body: multipart([...Object.entries(fields), ['searchMode', '0']], boundary),
    headers: {
      ...hailuoHeaders(cred, yySign(HAILUO_PATHS.chat, query, hailuoChatBodyPart(fields), unixMs)),
      'content-type': `multipart/form-data; boundary=${boundary}`,
      accept: 'text/event-stream',
    },
    signal: ctx.signal,
  })
  if (res.status < 300 && (res.header('content-type') ?? '').includes('text/event-stream')) return res
  throw await notAStream(res, Boolean(cred.realUserId))
}

async function notAStream(res: HttpResponse, hasUserId: boolean) {
  if ((res.header('content-type') ?? '').includes('html')) {
    await res.discard()
    return protocolError(`${PROVIDER_ID}: HTML page instead of the hailuo stream (HTTP ${res.status}; challenge or region block)`, {
      provider: PROVIDER_ID,
      upstreamStatus: res.status,
    })
  }
  return classifyEnvelope(await readEnvelope(res), res.status, hasUserId)
}

export async function hailuoDelete(ctx: MinimaxContext, cred: MinimaxCredential, device: Device, chatId: string) {
  const res = await hailuoSend(ctx, cred, HAILUO_PATHS.history + encodeURIComponent(chatId), 'DELETE', undefined, device)
  await expectOk(res, true)
}

export async function hailuoUserInfo(ctx: MinimaxContext, cred: MinimaxCredential, device: Device) {
  return expectOk(await hailuoSend(ctx, cred, HAILUO_PATHS.userInfo, 'GET', undefined, device), true)
}
