// ChatGLM (chatglm.cn) wire constants, from the shared protocol spec section 3, and those of the
// international chat.z.ai (`site: intl`, the notes' "glm-intl"; web-updates-2026.md §3.1).
import { z } from 'zod'
import type { ModelSpec } from '../../src/kit/types.js'

export const PROVIDER_ID = 'glm-web'
export const DEFAULT_BASE_URL = 'https://chatglm.cn'

/** Secret mixed into X-Sign; identical in every peer implementation. */
export const SIGN_SECRET = '8a1317a7468aa3ad86e997d08f3f31cb'

/** The general GLM assistant, used unless the model names another one. */
export const DEFAULT_ASSISTANT_ID = '65940acff94777010aa6b796'
/** A model name of this shape is an assistant (agent) id. */
export const ASSISTANT_ID_PATTERN = /^[a-z0-9]{24,}$/
/** Conversation ids GLM hands out; anything else is not sent upstream. */
export const CONVERSATION_ID_PATTERN = /^[0-9a-zA-Z]{24}$/

export const PATHS = {
  refresh: '/chatglm/user-api/user/refresh',
  stream: '/chatglm/backend-api/assistant/stream',
  delete: '/chatglm/backend-api/assistant/conversation/delete',
  upload: '/chatglm/backend-api/assistant/file_upload',
} as const

export const REFRESH_COOKIE = 'chatglm_refresh_token'
/** How long an access token is trusted before refreshing (peers use one hour). */
export const ACCESS_TOKEN_TTL_MS = 3600_000

export const SUFFIXES = {
  think: 'GLM thinking mode (chat_mode "zero"); the thinking arrives as reasoning',
  deepresearch: 'GLM deep research (chat_mode "deep_research")',
} as const

const modelSuffixes = Object.keys(SUFFIXES)

export const MODELS: readonly ModelSpec[] = [
  { id: 'zhipu', suffixes: modelSuffixes, ownedBy: 'zhipu' },
  { id: 'chatglm', suffixes: modelSuffixes, ownedBy: 'zhipu' },
  { id: 'glm-5', suffixes: modelSuffixes, ownedBy: 'zhipu' },
]

/** Fixed browser headers every chatglm.cn call carries. */
export const BROWSER_HEADERS: Record<string, string> = {
  'App-Name': 'chatglm',
  Origin: 'https://chatglm.cn',
  'X-App-Platform': 'pc',
  'X-App-Version': '0.0.1',
  'X-Device-Brand': '',
  'X-Device-Model': '',
  'X-Lang': 'zh',
  'User-Agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
}

/** chat.z.ai: its host, the origin its WAF insists on, and a front-end version to fall back on. */
export const ZAI_BASE_URL = 'https://chat.z.ai'
export const ZAI_ORIGIN = 'https://chat.z.ai'
export const ZAI_FE_VERSION = 'prod-fe-1.1.93'
export const ZAI_FE_VERSION_PATTERN = /prod-fe-\d+\.\d+\.\d+/
/** How long a front-end version read from the home page is reused. */
export const ZAI_FE_VERSION_TTL_MS = 3600_000

export const ZAI_PATHS = {
  newChat: '/api/v1/chats/new',
  completions: '/api/v2/chat/completions',
  chat: '/api/v1/chats/', // + id, for DELETE
  auths: '/api/v1/auths/',
} as const

export const ZAI_SUFFIXES = {
  think: 'thinking on (features.enable_thinking); the thinking arrives as reasoning',
  search: 'web search (features.web_search and auto_web_search)',
} as const

const zaiSuffixes = Object.keys(ZAI_SUFFIXES)
const zai = (id: string, upstream?: string): ModelSpec => ({ id, ...(upstream ? { upstream } : {}), suffixes: zaiSuffixes, ownedBy: 'zhipu' })

/** The 2026 model list of chat.z.ai (guests get only glm-4.7). */
export const ZAI_MODELS: readonly ModelSpec[] = [
  zai('glm-5.3'),
  zai('glm-5.3-flash'),
  zai('glm-5.2'),
  zai('glm-5.1', 'GLM-5.1'),
  zai('glm-5-turbo', 'GLM-5-Turbo'),
  zai('glm-5v-turbo', 'GLM-5v-Turbo'),
  zai('glm-4.7'),
]

export const settingsSchema = z.object({
  /** `cn` (chatglm.cn) or `intl` (chat.z.ai). */
  site: z.enum(['cn', 'intl']).default('cn'),
  /** chat.z.ai's X-FE-Version; unset = read from the home page (hourly), else a known one. */
  fe_version: z.string().regex(ZAI_FE_VERSION_PATTERN).optional(),
  /** Assistant used for the named models (the general GLM assistant by default). */
  assistant_id: z.string().default(DEFAULT_ASSISTANT_ID),
  /** meta_data.is_networking: let GLM search the web when it decides to. */
  networking: z.boolean().default(true),
  /** X-Exp-Groups header as the browser sends it; left out when empty. */
  exp_groups: z.string().default(''),
  /** Seconds an access token is reused before it is refreshed. */
  access_token_ttl_s: z.number().int().positive().default(ACCESS_TOKEN_TTL_MS / 1000),
})
export type GlmSettings = z.infer<typeof settingsSchema>
