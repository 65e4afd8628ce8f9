// Names, paths and fixed values of the two Kimi web protocols (see the shared protocol spec §2).
import type { ModelSpec } from '../../src/kit/types.js'

export const PROVIDER_ID = 'kimi-web'
export const DEFAULT_BASE_URL = 'https://www.kimi.com'
/** Host of the Connect AuthService that renews the rotating tokens (serves www.kimi.ai accounts too). */
export const DEFAULT_AUTH_URL = 'https://auth.kimi.com'

/** Current www.kimi.com Connect-RPC procedures. */
export const CONNECT_PATHS = {
  chat: '/apiv2/kimi.gateway.chat.v1.ChatService/Chat',
  deleteChat: '/apiv2/kimi.chat.v1.ChatService/DeleteChat',
  availableModels: '/apiv2/kimi.gateway.config.v1.ConfigService/GetAvailableModels',
} as const

/** Renewal of the Aug 2026 login model: refresh token in, a new access + refresh pair out. */
export const AUTH_PATHS = {
  refresh: '/api/account.gateway.v1.AuthService/RefreshToken',
} as const

/** Legacy kimi.moonshot.cn REST endpoints, reached with a refresh token. */
export const LEGACY_PATHS = {
  refresh: '/api/auth/token/refresh',
  user: '/api/user',
  createChat: '/api/chat',
  chat: (id: string) => `/api/chat/${encodeURIComponent(id)}`,
  completion: (id: string) => `/api/chat/${encodeURIComponent(id)}/completion/stream`,
} as const

export const CONNECT_CONTENT_TYPE = 'application/connect+json'
export const DEFAULT_SCENARIO = 'SCENARIO_K2D5'
/** Legacy "kimi+" id of the K1 reasoning assistant. */
export const LEGACY_K1_KIMIPLUS_ID = 'crm40ee9e5jvhsn7ptcg'
export const LEGACY_ACCESS_TTL_MS = 300_000
/** `x-msh-version` of the 2026 web client. */
export const MSH_VERSION = '2.0.0'
/** Renew this long before the access token's `exp` (the notes say 2–4 minutes). */
export const REFRESH_MARGIN_MS = 120_000
/** Lifetime assumed for an access token that carries no `exp` (most sources: 15 minutes). */
export const ACCESS_TTL_FALLBACK_MS = 900_000
/**
 * `options.reasoning_effort` per requested effort. Only REASONING_EFFORT_LOW was seen in captures
 * (updates-2026 §1.5); MEDIUM and HIGH follow the same enum naming and are an inference.
 */
export const REASONING_EFFORTS = {
  minimal: 'REASONING_EFFORT_LOW',
  low: 'REASONING_EFFORT_LOW',
  medium: 'REASONING_EFFORT_MEDIUM',
  high: 'REASONING_EFFORT_HIGH',
} as const
/** Effort sent when thinking is on (a `-thinking` model or flag) and the client named none. */
export const DEFAULT_THINKING_EFFORT = REASONING_EFFORTS.high
/** KFA's prompt hint before the newest message when a history is folded into one prompt. */
export const LATEST_MESSAGE_HINT = '关注用户最新的消息'
/** How many chat → last assistant message links to keep per credential for explicit conversation ids. */
export const MAX_REMEMBERED_CHATS = 50

export interface KimiModelTraits {
  thinking: boolean
  search: boolean
  vision: boolean
}

export const MODEL_TRAITS: Readonly<Record<string, KimiModelTraits>> = {
  kimi: { thinking: false, search: false, vision: false },
  'kimi-thinking': { thinking: true, search: false, vision: false },
  'kimi-search': { thinking: false, search: true, vision: false },
  'kimi-vision': { thinking: false, search: false, vision: true },
}

export const SUFFIXES: Readonly<Record<string, string>> = {
  search: 'let Kimi search the web; sources become url_citation annotations',
  thinking: 'turn on Kimi thinking; reasoning goes out as reasoning_content',
  cite: 'keep Kimi citation markers in the answer text',
}

export const MODELS: readonly ModelSpec[] = [
  { id: 'kimi', suffixes: ['search', 'thinking', 'cite'], ownedBy: 'moonshot' },
  { id: 'kimi-thinking', suffixes: ['search', 'cite'], ownedBy: 'moonshot' },
  { id: 'kimi-search', suffixes: ['thinking', 'cite'], ownedBy: 'moonshot' },
  { id: 'kimi-vision', suffixes: ['search', 'thinking', 'cite'], ownedBy: 'moonshot' },
]
