// Fixed facts about Anthropic's Messages API and the defaults Freeway ships for it.

export const PROVIDER_ID = 'anthropic-api'
export const DEFAULT_BASE_URL = 'https://api.anthropic.com'
export const MESSAGES_PATH = '/v1/messages'
export const MODELS_PATH = '/v1/models'
export const API_VERSION = '2023-06-01'

/** Anthropic requires max_tokens; used when the client names none. */
export const DEFAULT_MAX_TOKENS = 8192
/** Thinking budget for the `-thinking` suffix when the client names neither budget nor effort. */
export const DEFAULT_THINKING_BUDGET = 8192
/** The API refuses smaller budgets. */
export const MIN_THINKING_BUDGET = 1024

/** Effort → budget_tokens for models that take an explicit thinking budget. */
export const EFFORT_BUDGETS: Readonly<Record<'minimal' | 'low' | 'medium' | 'high', number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24576,
}

/**
 * How a model turns thinking on: `budget` sends {type: enabled, budget_tokens} (Claude 4.5 and
 * earlier); `adaptive` sends {type: adaptive} with output_config.effort, because Opus 4.7 answers
 * budget_tokens with a 400 and the 4.6 models deprecate it.
 */
export type ThinkingStyle = 'budget' | 'adaptive'

export interface KnownModel {
  id: string
  thinking: ThinkingStyle
}

/** Shipped when `models` is not configured: current aliases (the API resolves them to snapshots). */
export const DEFAULT_MODELS: readonly KnownModel[] = [
  { id: 'claude-opus-4-7', thinking: 'adaptive' },
  { id: 'claude-opus-4-6', thinking: 'adaptive' },
  { id: 'claude-sonnet-4-6', thinking: 'adaptive' },
  { id: 'claude-opus-4-5', thinking: 'budget' },
  { id: 'claude-sonnet-4-5', thinking: 'budget' },
  { id: 'claude-haiku-4-5', thinking: 'budget' },
  { id: 'claude-opus-4-1', thinking: 'budget' },
]

export const SUFFIXES: Readonly<Record<string, string>> = {
  thinking: 'extended thinking on (budget from thinking_budget_default, or adaptive on Claude 4.6+)',
}
