// Doubao (www.doubao.com) wire constants. Values are the ones browsers and peers send; they are
// not secrets and change only when the web app is redeployed.
import type { ModelSpec } from '../../src/kit/types.js'

export const PROVIDER_ID = 'doubao-web'
export const DEFAULT_BASE_URL = 'https://www.doubao.com'

/** The default assistant every web chat talks to. */
export const DEFAULT_BOT_ID = '7338286299411103781'

/** App ids: the newer /chat/completion web client and the legacy samantha client. */
export const COMPLETION_AID = '582478'
export const SAMANTHA_AID = '497858'

export const COMPLETION_PATH = '/chat/completion'
export const SAMANTHA_PATH = '/samantha/chat/completion'
export const DELETE_PATH = '/samantha/thread/delete'
export const ACCOUNT_PATH = '/passport/account/info/v2'

/** Think levels of the newer protocol (`need_deep_think`). */
export const THINK_FAST = 0
export const THINK_COT = 1
export const THINK_EXPERT = 3
export type ThinkLevel = typeof THINK_FAST | typeof THINK_COT | typeof THINK_EXPERT

/** content_block types of the newer protocol. */
export const BLOCK = {
  text: 10000,
  tool: 10024,
  searchResult: 10025,
  thinking: 10040,
  attachment: 10052,
  loading: 10101,
} as const

/** event_type values of the legacy samantha stream. */
export const LEGACY_EVENT = {
  message: 2001,
  ack: 2002,
  end: 2003,
  intention: 2010,
  creations: 2074,
} as const

/** Legacy message.content_type values that carry answer text (2008 is undocumented but textual). */
export const LEGACY_TEXT_TYPES: ReadonlySet<number> = new Set([2001, 2008])

/**
 * Code 710022004 says "rate limited" but is the slider captcha: its error_detail carries a
 * `decision` of `{"type":"verify","subtype":"slide",...}` (2026 issue reports). Waiting does not
 * clear it; a person has to pass the check in a browser with that account.
 */
export const VERIFY_CODE = 710022004
/** How long a credential rests after a captcha demand (the operator usually needs longer). */
export const VERIFY_COOLDOWN_MS = 30 * 60_000
/** Legacy samantha event that carries an error (the captcha among them). */
export const LEGACY_ERROR_EVENT = 2005

/** www.dola.com, the international Doubao: own host, app id and default bot. */
export const DOLA_BASE_URL = 'https://www.dola.com'
export const DOLA_AID = '495671'
export const DOLA_BOT_ID = '7339470689562525703'

/** Query of the Dola web client (captured 2026-06, a Japanese-region account). */
export const DOLA_QUERY = {
  channel: 'g',
  device_platform: 'web',
  region: 'JP',
  sys_region: 'JP',
  samantha_web: '1',
  'use-olympus-account': '1',
  version_code: '20800',
  web_platform: 'browser',
} as const

export type Site = 'doubao' | 'dola'

/** Extra query parameters of the newer web client (version pins copied from a 2026 browser). */
export const COMPLETION_QUERY = {
  device_platform: 'web',
  language: 'zh',
  region: 'CN',
  sys_region: 'CN',
  pkg_type: 'release_version',
  version_code: '20800',
  pc_version: '2.1.7',
  chromium_version: '147.0.7727.149',
  client_platform: 'pc_client',
  runtime: 'web',
  runtime_version: '3.5.4',
  samantha_web: '1',
  'use-olympus-account': '1',
} as const

export const SAMANTHA_QUERY = {
  device_platform: 'web',
  language: 'zh',
  pkg_type: 'release_version',
  region: 'CN',
  samantha_web: '1',
  sys_region: 'CN',
  use_olympus_account: '1',
  version_code: '20800',
} as const

export const USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36'

const thinkSuffixes = ['thinking'] as const

export const MODELS: readonly ModelSpec[] = [
  { id: 'doubao', suffixes: thinkSuffixes, meta: { think: THINK_FAST } },
  { id: 'doubao-pro', suffixes: thinkSuffixes, meta: { think: THINK_FAST } },
  { id: 'doubao-lite', suffixes: thinkSuffixes, meta: { think: THINK_FAST } },
  { id: 'doubao-1.5-pro', suffixes: thinkSuffixes, meta: { think: THINK_FAST } },
  { id: 'doubao-think', suffixes: ['nothinking'], meta: { think: THINK_COT } },
  { id: 'doubao-expert', meta: { think: THINK_EXPERT } },
].map((m) => ({ ...m, ownedBy: 'bytedance' }))

export const SUFFIXES: Readonly<Record<string, string>> = {
  thinking: 'deep thinking (think level 1) on a fast model',
  nothinking: 'fast answer without deep thinking (think level 0)',
}
