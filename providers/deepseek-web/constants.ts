// DeepSeek web chat (chat.deepseek.com): paths, client identity, models and upstream codes.
import type { ModelSpec } from '../../src/kit/types.js'

export const PROVIDER_ID = 'deepseek-web'
export const DEFAULT_BASE_URL = 'https://chat.deepseek.com'

export const PATHS = {
  currentUser: '/api/v0/users/current',
  createSession: '/api/v0/chat_session/create',
  deleteSession: '/api/v0/chat_session/delete',
  createPowChallenge: '/api/v0/chat/create_pow_challenge',
  completion: '/api/v0/chat/completion',
  continue: '/api/v0/chat/continue',
  uploadFile: '/api/v0/file/upload_file',
  fetchFiles: '/api/v0/file/fetch_files',
} as const

/**
 * The browser identity of the 2026-05 capture (web client 2.0.0, Chrome 135). Later builds were seen
 * with 2.4.0 / 2.5.0 and no x-app-version; the server enforces a floor (40005), so all of it is a setting.
 */
export const DEFAULT_CLIENT_VERSION = '2.0.0'
export const DEFAULT_APP_VERSION = '2.0.0'
export const DEFAULT_LOCALE = 'en_US'
export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/135.0.0.0 Safari/537.36'
export const DEFAULT_SEC_CH_UA = '"Google Chrome";v="135", "Not-A.Brand";v="8", "Chromium";v="135"'
/** Cookies the site sets besides the localStorage token; forwarded when pasted with it (WAF, session). */
export const EXTRA_COOKIES = ['ds_session_id', 'aws-waf-token'] as const
/** A credential the WAF challenges rests this long (a fresh aws-waf-token has to be pasted). */
export const WAF_COOLDOWN_MS = 30 * 60_000
export const POW_HEADER = 'x-ds-pow-response'
export const POW_ALGORITHM = 'DeepSeekHashV1'
/** Every captured challenge used this; the server may send another. */
export const DEFAULT_DIFFICULTY = 144_000

/** The session token from /users/current is cached this long (peers use one hour). */
export const SESSION_TOKEN_TTL_MS = 3_600_000

/** Upstream `code` / `biz_code` values. */
export const CODES = {
  tokenInvalid: [40001, 40003],
  /** Meaning uncertain; one peer maps it to HTTP 429: cool the account rather than disable it. */
  maybeRateLimited: 40002,
  clientVersionTooLow: 40005,
  /** biz codes when a continued conversation no longer exists upstream. */
  staleConversation: [1, 5, 26],
} as const

export type ModelType = 'default' | 'expert' | 'vision'

export interface DeepseekModel {
  modelType: ModelType
  thinking: boolean
}

/** File states of /file/fetch_files; PENDING is polled, the others are final. */
export const FILE_READY = 'SUCCESS'
export const FILE_FAILED = 'FAILED'

/** Web model choices, by public model id. */
export const MODEL_TABLE: Record<string, DeepseekModel> = {
  'deepseek-chat': { modelType: 'default', thinking: false },
  'deepseek-reasoner': { modelType: 'default', thinking: true },
  'deepseek-r1': { modelType: 'default', thinking: true },
  'deepseek-v4-flash': { modelType: 'default', thinking: true },
  'deepseek-v4-pro': { modelType: 'expert', thinking: true },
  /** Image input: the user's image parts are uploaded and referenced by file id. */
  'deepseek-vision': { modelType: 'vision', thinking: false },
  'deepseek-vl': { modelType: 'vision', thinking: false },
}

export const SUFFIXES: Record<string, string> = {
  search: 'web search on; its sources come back as url_citation annotations',
  nothinking: 'thinking off for a model that thinks by default',
  cite: 'keep the [citation:N] markers in the answer text',
}

export const MODELS: readonly ModelSpec[] = Object.entries(MODEL_TABLE).map(([id, model]) => ({
  id,
  ownedBy: 'deepseek',
  suffixes: model.thinking ? ['search', 'nothinking', 'cite'] : ['search', 'cite'],
  meta: { modelType: model.modelType, thinking: model.thinking },
}))

/** Answers stop with one of these; INCOMPLETE is resumed with /chat/continue. */
export type ResponseStatus = 'FINISHED' | 'INCOMPLETE' | 'CONTENT_FILTER'
