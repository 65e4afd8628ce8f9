// Fixed facts about Google's Gemini API (Generative Language, v1beta) and Freeway's defaults.

export const PROVIDER_ID = 'gemini-api'
export const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta'

/** Shipped when `models` is not configured. */
export const DEFAULT_MODELS: readonly string[] = [
  'gemini-3-pro-preview',
  'gemini-3-flash-preview',
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'gemini-2.5-flash-lite',
  'gemini-2.0-flash',
]

/** -1 lets the model decide how long to think (dynamic thinking). */
export const DYNAMIC_THINKING = -1

/** Effort → thinkingBudget. */
export const EFFORT_BUDGETS: Readonly<Record<'minimal' | 'low' | 'medium' | 'high', number>> = {
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
}

/**
 * Gemini 3 refuses a replayed function call without the thoughtSignature it came with; OpenAI-shaped
 * history cannot carry it, and Google documents this value for history from elsewhere.
 */
export const REPLAY_THOUGHT_SIGNATURE = 'skip_thought_signature_validator'
export const needsThoughtSignature = (model: string) => model.startsWith('gemini-3')

export const SUFFIXES: Readonly<Record<string, string>> = {
  thinking: 'thoughts included and returned as reasoning_content (dynamic budget unless the request names one)',
}
