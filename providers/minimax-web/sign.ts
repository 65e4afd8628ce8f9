// MiniMax request signing: the ordered browser query, `yy` and the agent's `x-signature`.
// Everything here is pure so the notes' formulas and test vectors can be checked with fixed inputs.
import { createHash } from 'node:crypto'
import { X_SIGNATURE_SECRET, YY_SALT } from './constants.js'

export const md5 = (s: string) => createHash('md5').update(s).digest('hex')

type Pairs = readonly (readonly [string, string | undefined])[]

/** Serialize in the given order, skipping undefined values: `yy` hashes this exact string. */
export function orderedQuery(pairs: Pairs): string {
  return pairs
    .filter((p): p is readonly [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')
}

export interface AgentQueryInput {
  realUserId?: string
  /** Random UUID when registering a device, else the realUserID. */
  uuid?: string
  deviceId?: string
  unixMs: number
  jwt: string
}

export function agentQuery(q: AgentQueryInput): string {
  return orderedQuery([
    ['device_platform', 'web'],
    ['biz_id', '3'],
    ['app_id', '3001'],
    ['version_code', '22201'],
    ['uuid', q.uuid ?? q.realUserId],
    ['device_id', q.deviceId],
    ['os_name', 'Mac'],
    ['browser_name', 'chrome'],
    ['device_memory', '8'],
    ['cpu_core_num', '11'],
    ['browser_language', 'zh-CN'],
    ['browser_platform', 'MacIntel'],
    ['user_id', q.realUserId],
    ['screen_width', '1920'],
    ['screen_height', '1080'],
    ['unix', String(q.unixMs)],
    ['lang', 'zh'],
    ['token', q.jwt],
    ['timezone_offset', '28800'],
    ['sys_language', 'zh'],
    ['client', 'web'],
  ])
}

export interface HailuoQueryInput {
  userId: string
  deviceId?: string
  unixMs: number
}

export function hailuoQuery(q: HailuoQueryInput): string {
  return orderedQuery([
    ['device_platform', 'web'],
    ['app_id', '3001'],
    ['version_code', '22200'],
    ['uuid', q.userId],
    ['device_id', q.deviceId],
    ['os_name', 'Windows'],
    ['browser_name', 'chrome'],
    ['device_memory', '8'],
    ['cpu_core_num', '12'],
    ['browser_language', 'zh-CN'],
    ['browser_platform', 'Win32'],
    ['screen_width', '1920'],
    ['screen_height', '1080'],
    ['unix', String(q.unixMs)],
  ])
}

/** The legacy site takes `unix` from a date string, so it is whole seconds in milliseconds. */
export const hailuoUnix = (nowMs = Date.now()) => Math.floor(nowMs / 1000) * 1000

/** yy = md5(encodeURIComponent(path?query) + "_" + bodyPart + md5(unix) + "ooui"). */
export function yySign(path: string, query: string, bodyPart: string, unixMs: number): string {
  return md5(`${encodeURIComponent(`${path}?${query}`)}_${bodyPart}${md5(String(unixMs))}${YY_SALT}`)
}

/**
 * Agent `x-signature` = md5(x_timestamp + FIXED_SECRET + body), `body` being the JSON string sent
 * ("" for a GET). Seven peers agree on the fixed secret (updates-2026 §6.1); the older spec formula
 * put the JWT in its place and gets HTTP 401.
 */
export function xSignature(timestampSeconds: number, body: string): string {
  return md5(`${timestampSeconds}${X_SIGNATURE_SECRET}${body}`)
}

/** The legacy chat call signs the multipart fields, not a JSON body. */
export function hailuoChatBodyPart(fields: { characterID: string; msgContent: string; chatID: string; form?: string }) {
  // Line breaks are dropped before hashing the message: multipart encoding rewrites them.
  const content = fields.msgContent.replace(/[\r\n]/g, '')
  return md5(fields.characterID) + md5(content) + md5(fields.chatID) + md5(fields.form ?? '')
}

/**
 * MiniMax ids can exceed 2^53: read them as strings so they survive JSON.parse, and write them
 * back as bare numbers.
 */
const BIG_ID_KEYS = /("(?:chat_id|msg_id|chatID|msgID)"\s*:\s*)(-?\d{16,})/g
export const quoteBigIds = (text: string): string => text.replace(BIG_ID_KEYS, '$1"$2"')
/** The strict form, for text known to be JSON (recorded fixtures): throws on anything else. */
export const parseKeepingIds = <T>(text: string): T => JSON.parse(quoteBigIds(text)) as T
export const stringifyWithNumericIds = (body: unknown): string =>
  JSON.stringify(body).replace(/("(?:chat_id|msg_id)":)"(\d+)"/g, '$1$2')
