// MiniMax Agent (agent.minimaxi.com): signed JSON calls, device registration, send, and the
// get_chat_detail polling that becomes a stream of deltas.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { protocolError, upstreamTimeout } from '../../src/kit/errors.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { type Device, type DeviceCache, type MinimaxContext, type MinimaxCredential, expectOk } from './auth.js'
import { AGENT_PATHS, PROVIDER_ID, USER_AGENT } from './constants.js'
import { type Envelope, newPollState, pollDeltas } from './parse.js'
import { agentQuery, stringifyWithNumericIds, xSignature, yySign } from './sign.js'

const origin = (ctx: MinimaxContext) => ctx.settings.base_url

interface CallOptions {
  method?: 'GET' | 'POST'
  device?: Device
  /** Registration sends a fresh random uuid and no device id. */
  registerUuid?: string
}

/** Sign and send one agent API call; returns its successful envelope or throws the typed error. */
export async function agentCall(
  ctx: MinimaxContext,
  cred: MinimaxCredential,
  path: string,
  body: unknown,
  options: CallOptions = {},
): Promise<Envelope> {
  const unixMs = Date.now()
  const realUserId = options.device?.realUserId ?? cred.realUserId
  const query = agentQuery({
    realUserId,
    uuid: options.registerUuid,
    deviceId: options.device?.deviceId,
    unixMs,
    jwt: cred.jwt,
  })
  const method = options.method ?? 'POST'
  // What is sent: JSON for a POST, nothing for a GET; `yy` still hashes "{}" for a GET.
  const sent = method === 'POST' ? (body === undefined ? '{}' : stringifyWithNumericIds(body)) : ''
  const yyBody = sent || '{}'
  const seconds = Math.floor(unixMs / 1000)
  const res = await ctx.http.request(`${origin(ctx)}${path}?${query}`, {
    method,
    ...(method === 'POST' ? { body: sent } : {}),
    headers: {
      'content-type': 'application/json',
      token: cred.jwt,
      'x-timestamp': String(seconds),
      'x-signature': xSignature(seconds, sent),
      yy: yySign(path, query, yyBody, unixMs),
      origin: 'https://agent.minimaxi.com',
      referer: 'https://agent.minimaxi.com/',
      'user-agent': USER_AGENT,
    },
    signal: ctx.signal,
  })
  return expectOk(res, Boolean(realUserId))
}

/** The registered device; `rejected`: a device id the server no longer knows. */
export async function agentDevice(ctx: MinimaxContext, cred: MinimaxCredential, devices: DeviceCache, rejected?: string): Promise<Device> {
  return devices.get(ctx, cred, async () => {
    const uuid = randomUUID()
    const env = await agentCall(ctx, cred, AGENT_PATHS.register, { uuid }, { registerUuid: uuid })
    const deviceId = env.data?.deviceIDStr
    if (typeof deviceId !== 'string' || !deviceId)
      throw protocolError(`${PROVIDER_ID}: device registration without deviceIDStr`, { provider: PROVIDER_ID })
    const realUserId = env.data?.realUserID
    return typeof realUserId === 'string' || typeof realUserId === 'number'
      ? { deviceId, realUserId: String(realUserId) }
      : { deviceId }
  }, rejected)
}

export async function sendMessage(
  ctx: MinimaxContext,
  cred: MinimaxCredential,
  device: Device,
  text: string,
  chatId?: string,
): Promise<{ chatId: string; msgId?: string }> {
  const body = {
    msg_type: 1,
    text,
    chat_type: 1,
    attachments: [],
    selected_mcp_tools: [],
    backend_config: {},
    sub_agent_ids: [],
    ...(chatId ? { chat_id: chatId } : {}),
  }
  const env = await agentCall(ctx, cred, AGENT_PATHS.send, body, { device })
  if (env.chat_id === undefined) throw protocolError(`${PROVIDER_ID}: send_msg answered without chat_id`, { provider: PROVIDER_ID })
  const msgId = env.msg_id === undefined ? undefined : String(env.msg_id)
  return msgId ? { chatId: String(env.chat_id), msgId } : { chatId: String(env.chat_id) }
}

/**
 * Poll get_chat_detail until chat_status 2, yielding what each poll added. Stops at once when
 * ctx.signal aborts (the sleep and the request both observe it).
 */
export async function* pollAnswer(
  ctx: MinimaxContext,
  cred: MinimaxCredential,
  device: Device,
  chatId: string,
  msgId: string | undefined,
): AsyncGenerator<DeltaEvent> {
  const state = newPollState()
  for (let poll = 0; poll < ctx.settings.max_polls; poll++) {
    if (poll > 0) await sleep(ctx.settings.poll_interval_ms, undefined, { signal: ctx.signal })
    const detail = await agentCall(ctx, cred, AGENT_PATHS.detail, { chat_id: chatId }, { device })
    const { events, done } = pollDeltas(detail, state, msgId)
    yield* events
    if (done) {
      yield { type: 'finish', reason: 'stop' }
      return
    }
  }
  throw upstreamTimeout(`${PROVIDER_ID}: answer not complete after ${ctx.settings.max_polls} polls`, { provider: PROVIDER_ID })
}

export async function deleteChat(ctx: MinimaxContext, cred: MinimaxCredential, device: Device, chatId: string) {
  await agentCall(ctx, cred, AGENT_PATHS.delete, { chat_id: chatId }, { device })
}

export async function userInfo(ctx: MinimaxContext, cred: MinimaxCredential, device: Device) {
  return agentCall(ctx, cred, AGENT_PATHS.userInfo, undefined, { device, method: 'GET' })
}
