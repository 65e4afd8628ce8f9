// chat.z.ai calls (`site: intl`): create a chat, post the signed completion, delete, probe. The
// WAF wants the signed query and the site's Origin/Referer (since prod-fe-1.1.93), the app wants
// X-FE-Version, and every completion wants a captcha token we can only forward.
import { randomUUID } from 'node:crypto'
import { protocolError } from '../../src/kit/errors.js'
import type { HttpResponse, Query } from '../../src/kit/http.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import type { CallContext } from '../../src/kit/types.js'
import {
  DEFAULT_BASE_URL,
  type GlmSettings,
  PROVIDER_ID,
  ZAI_BASE_URL,
  ZAI_FE_VERSION,
  ZAI_FE_VERSION_PATTERN,
  ZAI_FE_VERSION_TTL_MS,
  ZAI_ORIGIN,
  ZAI_PATHS,
} from './constants.js'
import { type ZaiCredential, readZaiCredential } from './zai-auth.js'
import { zaiError } from './zai-parse.js'
import { zaiSignature } from './zai-sign.js'

type Ctx = CallContext<GlmSettings>

export const USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36'

/** chat.z.ai unless base_url names another host (a mirror, a test fake). */
export const zaiBase = (ctx: Ctx) => (ctx.settings.base_url === DEFAULT_BASE_URL ? ZAI_BASE_URL : ctx.settings.base_url)

/** The front-end version: the setting, else the home page's (cached an hour), else a known one. */
export class FeVersion {
  private cached: { value: string; until: number } | undefined

  async get(ctx: Ctx): Promise<string> {
    if (ctx.settings.fe_version) return ctx.settings.fe_version
    if (this.cached && this.cached.until > Date.now()) return this.cached.value
    let value = ZAI_FE_VERSION
    try {
      const res = await ctx.http.request(`${zaiBase(ctx)}/`, { headers: { 'user-agent': USER_AGENT }, signal: ctx.signal })
      value = ZAI_FE_VERSION_PATTERN.exec(await res.text())?.[0] ?? value
    } catch (err) {
      ctx.log.debug('glm-web: could not read the chat.z.ai front-end version; using the known one', { error: String(err) })
    }
    this.cached = { value, until: Date.now() + ZAI_FE_VERSION_TTL_MS }
    return value
  }
}

function headers(cred: ZaiCredential, feVersion: string, referer: string): Record<string, string> {
  return {
    accept: 'application/json',
    'accept-language': 'en-US,en;q=0.9',
    authorization: `Bearer ${cred.token}`,
    cookie: `token=${cred.token}`,
    origin: ZAI_ORIGIN,
    referer,
    'user-agent': USER_AGENT,
    'x-fe-version': feVersion,
    'x-region': 'overseas',
  }
}

/** The browser fields the web app adds to the signed query (values of a common desktop browser). */
function browserQuery(chatId: string, now: Date): Query {
  const path = `/c/${chatId}`
  return {
    user_agent: USER_AGENT,
    language: 'en-US',
    languages: 'en-US,en',
    timezone: 'UTC',
    cookie_enabled: 'true',
    screen_width: 1920,
    screen_height: 1080,
    screen_resolution: '1920x1080',
    viewport_height: 945,
    viewport_width: 1920,
    viewport_size: '1920x945',
    color_depth: 24,
    pixel_ratio: 1,
    current_url: `${ZAI_ORIGIN}${path}`,
    pathname: path,
    search: '',
    hash: '',
    host: 'chat.z.ai',
    hostname: 'chat.z.ai',
    protocol: 'https:',
    referrer: '',
    title: 'Z.ai Chat',
    timezone_offset: 0,
    local_time: now.toISOString(),
    utc_time: now.toUTCString(),
    is_mobile: 'false',
    is_touch: 'false',
    max_touch_points: 0,
    browser_name: 'Chrome',
    os_name: 'Windows',
  }
}

/** The signed query and the X-Signature that goes with it. */
export function signedQuery(cred: ZaiCredential, chatId: string, prompt: string, now = Date.now()): { query: Query; signature: string } {
  const requestId = randomUUID()
  const signature = zaiSignature({ requestId, timestamp: now, userId: cred.userId, prompt })
  const query: Query = {
    timestamp: now,
    requestId,
    user_id: cred.userId,
    version: '0.0.1',
    platform: 'web',
    token: cred.token,
    ...browserQuery(chatId, new Date(now)),
    signature_timestamp: now,
  }
  return { query, signature }
}

/** A reply that is not what we asked for: the WAF's HTML page, or a JSON `{detail}`. */
async function replyError(res: HttpResponse, cred: ZaiCredential) {
  const text = await res.text()
  if (text.trim().startsWith('<'))
    return protocolError(
      `${PROVIDER_ID}: chat.z.ai answered an HTML page (HTTP ${res.status}): its firewall refused the request (signed query, Origin or front-end version)`,
      { provider: PROVIDER_ID, upstreamStatus: res.status },
    )
  const env = asObject(tryJson(text)) ?? {}
  const error = asObject(env.error) ?? asObject(asObject(env.data)?.error) ?? env
  return zaiError(error, Boolean(cred.captcha), res.status)
}

export interface ZaiTurn {
  model: string
  /** The conversation as role/content pairs (chat.z.ai takes the history with every call). */
  messages: { role: string; content: string }[]
  prompt: string
  thinking: boolean
  search: boolean
  effort?: 'high' | undefined
  chatId?: string | undefined
}

export async function createChat(ctx: Ctx, fe: FeVersion, turn: ZaiTurn, userMessageId: string): Promise<string> {
  const cred = readZaiCredential(ctx.credential.secret)
  const timestamp = Date.now()
  const message = { id: userMessageId, parentId: null, childrenIds: [], role: 'user', content: turn.prompt, timestamp: Math.floor(timestamp / 1000), models: [turn.model] }
  const res = await ctx.http.request(zaiBase(ctx) + ZAI_PATHS.newChat, {
    method: 'POST',
    headers: headers(cred, await fe.get(ctx), `${ZAI_ORIGIN}/`),
    json: {
      chat: {
        id: '',
        title: 'New Chat',
        models: [turn.model],
        params: {},
        history: { messages: { [userMessageId]: message }, currentId: userMessageId },
        features: features(turn),
        enable_thinking: turn.thinking,
        message_version: 1,
        timestamp,
      },
    },
    signal: ctx.signal,
  })
  if (res.status !== 200) throw await replyError(res, cred)
  const id = asObject(tryJson(await res.text()))?.id
  if (typeof id !== 'string' || !id) throw protocolError(`${PROVIDER_ID}: chat.z.ai created no chat id`, { provider: PROVIDER_ID })
  return id
}

function features(turn: ZaiTurn): Record<string, unknown> {
  return {
    image_generation: false,
    web_search: turn.search,
    auto_web_search: turn.search,
    preview_mode: true,
    flags: [],
    enable_thinking: turn.thinking || turn.effort !== undefined,
    ...(turn.effort ? { reasoning_effort: turn.effort } : {}),
  }
}

export async function openCompletion(ctx: Ctx, fe: FeVersion, turn: ZaiTurn & { chatId: string }, userMessageId: string) {
  const cred = readZaiCredential(ctx.credential.secret)
  const { query, signature } = signedQuery(cred, turn.chatId, turn.prompt)
  const res = await ctx.http.request(zaiBase(ctx) + ZAI_PATHS.completions, {
    method: 'POST',
    query,
    headers: { ...headers(cred, await fe.get(ctx), `${ZAI_ORIGIN}/c/${turn.chatId}`), accept: 'text/event-stream', 'x-signature': signature },
    json: {
      stream: true,
      model: turn.model,
      chat_id: turn.chatId,
      messages: turn.messages,
      signature_prompt: turn.prompt,
      features: features(turn),
      ...(cred.captcha ? { captcha_verify_param: cred.captcha } : {}),
      id: randomUUID(),
      current_user_message_id: userMessageId,
      params: {},
    },
    signal: ctx.signal,
  })
  if (res.status === 200 && (res.header('content-type') ?? '').includes('text/event-stream')) return { res, captchaPasted: Boolean(cred.captcha) }
  throw await replyError(res, cred)
}

export async function deleteZaiChat(ctx: Ctx, fe: FeVersion, chatId: string): Promise<void> {
  const cred = readZaiCredential(ctx.credential.secret)
  const res = await ctx.http.request(zaiBase(ctx) + ZAI_PATHS.chat + encodeURIComponent(chatId), {
    method: 'DELETE',
    headers: headers(cred, await fe.get(ctx), `${ZAI_ORIGIN}/`),
    signal: ctx.signal,
  })
  if (res.status !== 200) throw await replyError(res, cred)
  await res.discard()
}

/** The signed-in user (`GET /api/v1/auths/`), for the probe. */
export async function zaiAccount(ctx: Ctx, fe: FeVersion): Promise<string | undefined> {
  const cred = readZaiCredential(ctx.credential.secret)
  const res = await ctx.http.request(zaiBase(ctx) + ZAI_PATHS.auths, { headers: headers(cred, await fe.get(ctx), `${ZAI_ORIGIN}/`), signal: ctx.signal })
  if (res.status !== 200) throw await replyError(res, cred)
  const user = asObject(tryJson(await res.text()))
  const name = user?.email ?? user?.name ?? user?.id
  return typeof name === 'string' ? name : undefined
}
