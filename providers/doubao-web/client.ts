// Doubao HTTP calls: request building for both protocol generations, the stream call with its
// reply checks, thread deletion and the account probe.
import { randomBytes, randomInt, randomUUID } from 'node:crypto'
import type { HttpResponse, Query } from '../../src/kit/http.js'
import { mask } from '../../src/kit/log.js'
import type { CallContext } from '../../src/kit/types.js'
import type { CookieJar } from '../../src/kit/cookie-jar.js'
import { csrfTokenOf, deviceIdentity, requestCookie } from './auth.js'
import {
  ACCOUNT_PATH,
  COMPLETION_AID,
  COMPLETION_PATH,
  COMPLETION_QUERY,
  DEFAULT_BASE_URL,
  DEFAULT_BOT_ID,
  DELETE_PATH,
  DOLA_AID,
  DOLA_BASE_URL,
  DOLA_BOT_ID,
  DOLA_QUERY,
  SAMANTHA_PATH,
  SAMANTHA_QUERY,
  type Site,
  type ThinkLevel,
  USER_AGENT,
} from './constants.js'
import { tryJson } from '../../src/kit/json.js'
import { errorFromReply } from './errors.js'

export interface DoubaoSettings {
  site: Site
  protocol: 'completion' | 'samantha'
  /** Unset: the site's own (582478 on doubao.com, 495671 on Dola). */
  completion_aid?: string | undefined
  samantha_aid: string
  /** Unset: the site's default assistant. */
  bot_id?: string | undefined
  /** Dola's `language` query value (the UI language of the captured client). */
  dola_language: string
  /** Dola's `region` / `sys_region` query values. */
  dola_region: string
}

export type Ctx = CallContext<DoubaoSettings>

export interface Turn {
  prompt: string
  think: ThinkLevel
  /** Upstream conversation to continue, if any. */
  conversationId?: string
  /** Section id of that conversation (from its ack), if known. */
  sectionId?: string
}

interface Session {
  cookie: string
  jar: CookieJar
  deviceId: string
  webId: string
  fp: string
}

export function sessionOf(ctx: Ctx): Session {
  const { cookie, jar } = requestCookie(ctx.credential.secret)
  const { identity, created } = deviceIdentity(jar, ctx.credential.state)
  if (Object.keys(created).length) ctx.saveState(created)
  return { cookie, jar, ...identity }
}

const isDola = (ctx: Ctx) => ctx.settings.site === 'dola'

/** Dola lives on its own host unless base_url names one (a mirror, a test fake). */
const base = (ctx: Ctx) => (isDola(ctx) && ctx.settings.base_url === DEFAULT_BASE_URL ? DOLA_BASE_URL : ctx.settings.base_url)

export const botIdOf = (ctx: Ctx) => ctx.settings.bot_id ?? (isDola(ctx) ? DOLA_BOT_ID : DEFAULT_BOT_ID)

function headersFor(ctx: Ctx, s: Session, accept: string): Record<string, string> {
  const h: Record<string, string> = {
    accept,
    'accept-language': isDola(ctx) ? 'zh-TW,zh;q=0.9,en;q=0.8' : 'zh-CN,zh;q=0.9',
    // int64 ids as strings; Dola's client asks for it on both directions.
    'agw-js-conv': isDola(ctx) ? 'str, str' : 'str',
    cookie: s.cookie,
    origin: base(ctx),
    referer: `${base(ctx)}/chat/`,
    'user-agent': USER_AGENT,
  }
  const csrf = csrfTokenOf(s.jar)
  if (csrf) h['x-tt-passport-csrf-token'] = csrf
  return h
}

/** msToken only when the browser really had one; a_bogus never (we cannot sign). */
function withKnownToken(query: Query, s: Session): Query {
  const msToken = s.jar.get('msToken')
  return msToken ? { ...query, msToken } : query
}

export function completionQuery(ctx: Ctx, s: Session): Query {
  if (isDola(ctx)) return dolaQuery(ctx, s)
  const aid = ctx.settings.completion_aid ?? COMPLETION_AID
  return withKnownToken(
    {
      aid,
      real_aid: aid,
      device_id: s.deviceId,
      tea_uuid: s.deviceId,
      web_id: s.webId,
      ...COMPLETION_QUERY,
      fp: s.fp,
      web_tab_id: randomUUID(),
    },
    s,
  )
}

/** Dola's query as its web client sends it (2026-06): no device ids, a tab id and the fingerprint. */
export function dolaQuery(ctx: Ctx, s: Session): Query {
  const { dola_language: language, dola_region: region } = ctx.settings
  return withKnownToken(
    {
      aid: ctx.settings.completion_aid ?? DOLA_AID,
      ...DOLA_QUERY,
      language,
      region,
      sys_region: region,
      web_tab_id: randomUUID(),
      fp: s.fp,
    },
    s,
  )
}

export function samanthaQuery(ctx: Ctx, s: Session): Query {
  const aid = ctx.settings.samantha_aid
  return withKnownToken(
    { aid, real_aid: aid, device_id: s.deviceId, tea_uuid: s.webId, web_id: s.webId, ...SAMANTHA_QUERY },
    s,
  )
}

export function completionBody(ctx: Ctx, s: Session, turn: Turn): Record<string, unknown> {
  const continuing = Boolean(turn.conversationId)
  const textBlock = {
    block_type: 10000,
    content: { text_block: { text: turn.prompt, icon_url: '', icon_url_dark: '', summary: '' }, pc_event_block: '' },
    block_id: randomUUID(),
    parent_id: '',
    meta_info: [],
    append_fields: [],
    is_finish: true,
    patch_type: 2,
  }
  const body = {
    client_meta: {
      local_conversation_id: `local_${randomBytes(8).toString('hex')}`,
      conversation_id: turn.conversationId ?? '0',
      bot_id: botIdOf(ctx),
      last_section_id: turn.sectionId ?? '',
      last_message_index: 0,
    },
    messages: [{ local_message_id: randomUUID(), message_status: 0, content_block: [textBlock] }],
    option: {
      need_deep_think: turn.think,
      answer_with_suggest: true,
      need_create_conversation: !continuing,
      conversation_init_option: { need_ack_conversation: true },
      sse_recv_event_options: { support_chunk_delta: true },
      unique_key: randomUUID(),
      is_regen: false,
      is_replace: false,
      start_seq: 0,
      message_from: 0,
    },
    chat_ability: {},
    ext: {
      use_deep_think: String(turn.think),
      fp: s.fp,
      use_submit_pipeline: '1',
      commerce_credit_config_enable: '0',
      sub_conv_firstmet_type: '1',
    },
  }
  return isDola(ctx) ? dolaExtras(body) : body
}

/** Fields Dola's client adds to the same body: creation time, recovery, the chat ability. */
function dolaExtras(body: { option: Record<string, unknown>; [k: string]: unknown }): Record<string, unknown> {
  const now = Date.now()
  return {
    ...body,
    option: {
      ...body.option,
      create_time_ms: now,
      recovery_option: { is_recovery: false, req_create_time_sec: Math.floor(now / 1000), append_sse_event_scene: 0 },
      is_user_chat_input: true,
    },
    chat_ability: { ability_type: 0 }, // 0 chat (16 image, 17 video)
    user_context: [],
  }
}

export function samanthaBody(turn: Turn): Record<string, unknown> {
  const continuing = Boolean(turn.conversationId)
  return {
    messages: [{ content: JSON.stringify({ text: turn.prompt }), content_type: 2001, attachments: [], references: [] }],
    completion_option: {
      is_regen: false,
      with_suggest: true,
      need_create_conversation: !continuing,
      launch_stage: 1,
      is_replace: false,
      is_delete: false,
      message_from: 0,
      event_id: '0',
    },
    use_deep_think: turn.think !== 0,
    conversation_id: turn.conversationId ?? '0',
    ...(turn.sectionId ? { section_id: turn.sectionId } : {}),
    local_conversation_id: `local_16${Array.from({ length: 14 }, () => randomInt(10)).join('')}`,
    local_message_id: randomUUID(),
  }
}

/** Open the answer stream; anything but an event stream becomes a classified error. */
export async function openStream(ctx: Ctx, turn: Turn): Promise<HttpResponse> {
  const s = sessionOf(ctx)
  const legacy = ctx.settings.protocol === 'samantha' && !isDola(ctx)
  const res = await ctx.http.request(base(ctx) + (legacy ? SAMANTHA_PATH : COMPLETION_PATH), {
    method: 'POST',
    query: legacy ? samanthaQuery(ctx, s) : completionQuery(ctx, s),
    headers: {
      ...headersFor(ctx, s, 'text/event-stream'),
      ...(legacy ? { 'last-event-id': 'undefined', 'x-flow-trace': flowTrace() } : {}),
    },
    json: legacy ? samanthaBody(turn) : completionBody(ctx, s, turn),
    signal: ctx.signal,
  })
  const type = res.header('content-type') ?? ''
  if (res.status === 200 && type.includes('text/event-stream')) return res
  const text = await res.text().catch(() => '')
  ctx.log.warn('doubao-web: no event stream', { status: res.status, type, session: mask(s.jar.get('sessionid')) })
  throw errorFromReply(res.status, text)
}

function flowTrace(): string {
  const id = randomUUID().replace(/-/g, '')
  return `04-${id}-${id.slice(0, 16)}-01`
}

/** Best effort: `-2001` here usually means the account is banned, which the caller only logs. */
export async function deleteThread(ctx: Ctx, conversationId: string): Promise<void> {
  const s = sessionOf(ctx)
  const res = await ctx.http.ok(base(ctx) + DELETE_PATH, {
    method: 'POST',
    query: samanthaQuery(ctx, s),
    headers: { ...headersFor(ctx, s, 'application/json'), referer: `${base(ctx)}/chat/${conversationId}` },
    json: { conversation_id: conversationId },
    signal: ctx.signal,
  })
  const env = tryJson(await res.text()) as { code?: number; msg?: string } | undefined
  if (env?.code !== undefined && env.code !== 0) throw errorFromReply(res.status, JSON.stringify(env))
}

export interface AccountInfo {
  userId: string
  name?: string
}

export async function accountInfo(ctx: Ctx): Promise<AccountInfo> {
  const s = sessionOf(ctx)
  const res = await ctx.http.request(base(ctx) + ACCOUNT_PATH, {
    method: 'POST',
    query: { account_sdk_source: 'web' },
    headers: headersFor(ctx, s, 'application/json'),
    json: {},
    signal: ctx.signal,
  })
  const text = await res.text()
  const env = tryJson(text) as { code?: number; data?: Record<string, unknown> } | undefined
  const userId = env?.data?.user_id ?? env?.data?.user_id_str
  if (res.status !== 200 || env?.code !== 0 || userId === undefined) throw errorFromReply(res.status, text)
  const name = env.data?.name ?? env.data?.screen_name
  return { userId: String(userId), ...(typeof name === 'string' && name ? { name } : {}) }
}
