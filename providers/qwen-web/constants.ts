// Qwen web chats: www.qianwen.com (default), legacy Tongyi (qianwen.biz.aliyun.com) and the
// international chat.qwen.ai. Wire constants as the browsers send them.
import type { ModelSpec } from '../../src/kit/types.js'

export const PROVIDER_ID = 'qwen-web'

export type Site = 'qianwen' | 'tongyi' | 'intl'

/** www.qianwen.com posts chats to this origin; base_url overrides it. */
export const QIANWEN_CHAT_URL = 'https://chat2.qianwen.com'
/** ...and lists models / deletes sessions on this one. */
export const QIANWEN_API_URL = 'https://chat2-api.qianwen.com'
export const QIANWEN_ORIGIN = 'https://www.qianwen.com'
export const TONGYI_URL = 'https://qianwen.biz.aliyun.com'
export const TONGYI_ORIGIN = 'https://tongyi.aliyun.com'
export const INTL_URL = 'https://chat.qwen.ai'

export const QIANWEN_QUERY = { biz_id: 'ai_qwen', chat_client: 'h5', device: 'pc', fr: 'pc', pr: 'qwen' } as const
export const QIANWEN_WPK_BID = '66ur41cs-cntu1744'
export const PLATFORM = 'pc_tongyi'
/** Tongyi checks that this header is present, not what it holds: peers send one fixed value. */
export const TONGYI_XSRF = '48b9ee49-a184-45e2-9f67-fa87213edcdc'
/** chat.qwen.ai's web build (`version` header) and baxia SDK version (`bx-v`); both are settings. */
export const INTL_VERSION = '0.2.67'
export const INTL_BX_V = '2.5.36'
/** The token-login credential form `someone@example.com:password` (a cookie header has `=` before any `@`, a JWT no `@`). */
export const INTL_LOGIN_FORM = /^([^\s:;=@]+@[^\s:;=]+):(.+)$/s
/** Token login (email:password): v2 first, v1 where v2 answers 404/405. */
export const INTL_SIGNIN_PATHS = ['/api/v2/auths/signin', '/api/v1/auths/signin'] as const
/** A signed-in token is renewed this long before its `exp` (as a peer does). */
export const INTL_RENEW_BEFORE_MS = 6 * 3_600_000

/**
 * Alibaba's risk control: `FAIL_SYS_USER_VALIDATE` inside a 200 stream, WAF pages (`aliyun_waf_aa`)
 * and the slider/punish markers. The account must pass a check in a real browser; until then the
 * credential cools this long rather than being retried at once.
 */
export const BROWSER_CHECK = /FAIL_SYS_USER_VALIDATE|RGV587|_____tmd_____|x5sec|aliyun_waf_|\bpunish\b/
export const BROWSER_CHECK_COOLDOWN_MS = 30 * 60_000

/** Qianwen error code meaning "this request needs an ACS (baxia) signature". */
export const SIGNATURE_REQUIRED = 'EX015'

export const USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36'

/** Cookie names that hold the Aliyun login ticket (Tongyi and Qianwen). */
export const TICKET_COOKIES = ['tongyi_sso_ticket', 'login_aliyunid_ticket'] as const

interface ModelRow {
  id: string
  /** Upstream model per site; Tongyi ignores the model, so it has none. */
  qianwen: string
  intl: string
  /** chat.qwen.ai fast mode: thinking is never enabled. */
  fast?: boolean
}

const MODEL_ROWS: readonly ModelRow[] = [
  { id: 'qwen', qianwen: 'Qwen', intl: 'qwen3-max' },
  { id: 'qwen3', qianwen: 'Qwen', intl: 'qwen3-max' },
  { id: 'qwen3-max', qianwen: 'Qwen3-Max', intl: 'qwen3-max' },
  { id: 'qwen3-flash', qianwen: 'Qwen3.5-Flash', intl: 'qwen3.5-plus', fast: true },
  { id: 'qwen-long', qianwen: 'Qwen', intl: 'qwen3.5-plus' },
]

export const SUFFIXES: Readonly<Record<string, string>> = {
  thinking: 'deep thinking (qianwen: deep_search "1"; chat.qwen.ai: thinking_enabled)',
}

/** The model list depends on the site: upstream names differ, and Tongyi has no thinking switch. */
export function modelsFor(site: Site, overrides: Readonly<Record<string, string>>): ModelSpec[] {
  return MODEL_ROWS.map((row) => {
    const upstream = overrides[row.id] ?? (site === 'tongyi' ? row.id : row[site])
    const thinking = site !== 'tongyi' && !(site === 'intl' && row.fast)
    return { id: row.id, upstream, ownedBy: 'alibaba', ...(thinking ? { suffixes: ['thinking'] } : {}), meta: { site } }
  })
}
