// HixAI facts: the model table (credit cost, tier, hix bot id, input limit) and the fixed wire
// values the browser sends. The table mirrors the 39 entries HixAI2Api v1.4–v1.5 registers.
import type { ModelSpec } from '../../src/kit/types.js'

export const PROVIDER_ID = 'hixai-web'

export type HixTier = 'STANDARD' | 'ADVANCED'

export interface HixModel {
  id: string
  /** Credits one question costs. */
  cost: number
  tier: HixTier
  /** hix.ai's numeric bot id, sent to createChat. */
  botId: number
  /** Longest question (in characters) the peer lets through for this bot. */
  maxInput: number
}

const standard = (id: string, cost: number, botId: number, maxInput = 8000): HixModel => ({
  id,
  cost,
  tier: 'STANDARD',
  botId,
  maxInput,
})
const advanced = (id: string, cost: number, botId: number, maxInput = 8000): HixModel => ({
  id,
  cost,
  tier: 'ADVANCED',
  botId,
  maxInput,
})

export const HIX_MODELS: readonly HixModel[] = [
  standard('deepseek-r1', 1, 85426),
  standard('deepseek-v3', 1, 85427),
  standard('gpt-4o-mini', 4, 86),
  standard('claude', 4, 42),
  standard('claude-3-haiku', 4, 52),
  standard('claude-3-5-haiku-200k', 4, 85423, 100_000),
  standard('gemini-1-5-flash', 4, 59),
  standard('chatgpt', 4, 2),
  standard('gemini-1-0-pro', 4, 58),
  standard('gemini', 4, 83),
  standard('gpt-3-5-turbo', 4, 3),
  standard('claude-instant-100k', 8, 44, 50_000),
  standard('claude-3-5-haiku', 10, 85422),
  standard('gpt-3-5-turbo-16k', 12, 4),
  standard('gemini-1-5-pro', 18, 60),
  standard('claude-3-haiku-200k', 20, 56, 100_000),
  standard('claude-3-sonnet', 20, 51),
  standard('gpt-4o', 30, 5),
  standard('gemini-1-5-flash-128k', 30, 62, 64_000),
  standard('claude-2', 35, 45),
  standard('claude-2-100k', 75, 47, 50_000),
  standard('grok-2', 100, 85428),
  standard('claude-3-5-sonnet', 100, 50),
  standard('claude-3-5-sonnet-200k', 100, 54, 100_000),
  standard('claude-3-sonnet-200k', 100, 55, 100_000),
  standard('gpt-4o-128k', 125, 6, 64_000),
  standard('gemini-1-5-pro-128k', 175, 63, 64_000),
  standard('gemini-1-5-flash-1m', 170, 65, 100_000),
  standard('openai-o3-mini', 200, 85424),
  standard('openai-o1-mini', 200, 1182),
  standard('claude-2-1-200k', 300, 49, 100_000),
  standard('gemini-1-5-pro-1m', 2500, 67, 100_000),
  advanced('gpt-4-turbo', 20, 8),
  advanced('gpt-4-turbo-128k', 20, 9, 64_000),
  advanced('claude-3-7-sonnet', 20, 85429),
  advanced('openai-o1', 40, 1181),
  advanced('claude-3-opus', 45, 53),
  advanced('gpt4', 45, 10),
  advanced('claude-3-opus-200k', 120, 57, 100_000),
]

/** Suffix flag → hix `searchType`. */
export const SEARCH_TYPES = { search: 'internet', news: 'news', academic: 'academic' } as const
export type SearchFlag = keyof typeof SEARCH_TYPES

export const SUFFIX_DESCRIPTIONS: Readonly<Record<string, string>> = {
  search: 'web search before answering (searchType internet)',
  news: 'news search before answering (searchType news)',
  academic: 'academic search before answering (searchType academic)',
}

export const MODEL_SPECS: readonly ModelSpec[] = HIX_MODELS.map((m) => ({
  id: m.id,
  suffixes: Object.keys(SEARCH_TYPES),
  ownedBy: PROVIDER_ID,
  meta: { cost: m.cost, tier: m.tier, botId: m.botId, maxInput: m.maxInput },
}))

const byId = new Map(HIX_MODELS.map((m) => [m.id, m]))
export const hixModel = (id: string): HixModel | undefined => byId.get(id)

export const SESSION_COOKIE = '__Secure-next-auth.session-token'

export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

export const PATHS = {
  createChat: '/api/trpc/hixChat.createChat?batch=1',
  deleteChat: '/api/trpc/hixChat.deleteChat?batch=1',
  chat: '/api/hix/chat',
  uploadSign: '/api/upload/sign',
  session: '/api/auth/session',
  credit: '/api/trpc/hixChat.getUsedBotList,subLog.getSubLog,subUsage.getSubUsage',
} as const

const appInput = { json: { appName: 'HIXChat' } }
const undefinedInput = { json: null, meta: { values: ['undefined'] } }
/** The batch input the browser sends with the credit query; the last result is subUsage. */
export const CREDIT_QUERY_INPUT = {
  0: { json: { limit: 1000 } },
  1: undefinedInput,
  2: appInput,
  3: appInput,
  4: appInput,
  5: undefinedInput,
}

/** The stream line that means the cookie is no longer logged in. */
export const NOT_LOGIN_STATUS = -5
