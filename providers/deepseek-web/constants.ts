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
} as const

/** The web client identity (v2.0.0 headers); versions below 2.0.0 get CLIENT_VERSION_TOO_LOW. */
export const DEFAULT_CLIENT_VERSION = '2.0.0'
export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36'
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

export type ModelType = 'default' | 'expert'

export interface DeepseekModel {
  modelType: ModelType
  thinking: boolean
}

/** Web model choices, by public model id. */
export const MODEL_TABLE: Record<string, DeepseekModel> = {
  'deepseek-chat': { modelType: 'default', thinking: false },
  'deepseek-reasoner': { modelType: 'default', thinking: true },
  'deepseek-r1': { modelType: 'default', thinking: true },
  'deepseek-v4-flash': { modelType: 'default', thinking: true },
  'deepseek-v4-pro': { modelType: 'expert', thinking: true },
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
