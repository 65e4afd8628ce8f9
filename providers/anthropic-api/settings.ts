// providers.anthropic-api settings (and those of `type: anthropic-api` instances) beyond the common ones.
import { z } from 'zod'
import type { ModelSpec } from '../../src/kit/types.js'
import { DEFAULT_MAX_TOKENS, DEFAULT_MODELS, DEFAULT_THINKING_BUDGET, MIN_THINKING_BUDGET, type ThinkingStyle } from './constants.js'

const thinkingStyle = z.enum(['budget', 'adaptive'])

const modelEntry = z.union([
  z.string().min(1),
  z.object({
    id: z.string().min(1),
    upstream: z.string().min(1).optional(),
    owned_by: z.string().optional(),
    /** How this model turns thinking on; known Claude models default correctly. */
    thinking: thinkingStyle.optional(),
  }),
])

export const settingsSchema = z.object({
  /** Models to offer; absent = the current Claude models. */
  models: z.array(modelEntry).optional(),
  /** max_tokens when the client names none (the API requires it). */
  max_tokens_default: z.number().int().positive().default(DEFAULT_MAX_TOKENS),
  /** budget_tokens for the `-thinking` suffix when the client names neither budget nor effort. */
  thinking_budget_default: z.number().int().min(MIN_THINKING_BUDGET).default(DEFAULT_THINKING_BUDGET),
  /** `anthropic-beta` header: one value or a list (joined with commas). */
  anthropic_beta: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  /** Extra headers for every request (some Anthropic-compatible endpoints want their own). */
  headers: z.record(z.string(), z.string()).default({}),
})
export type AnthropicSettings = z.infer<typeof settingsSchema>

/** The thinking style of an upstream model name: a known alias or one of its dated snapshots. */
export function knownThinkingStyle(upstream: string): ThinkingStyle {
  return DEFAULT_MODELS.find((m) => upstream === m.id || upstream.startsWith(`${m.id}-`))?.thinking ?? 'budget'
}

export function thinkingStyleOf(spec: ModelSpec | undefined, upstream: string): ThinkingStyle {
  const configured = spec?.meta?.thinking
  return configured === 'adaptive' || configured === 'budget' ? configured : knownThinkingStyle(upstream)
}

export function toModelSpecs(entries: AnthropicSettings['models'], name: string): ModelSpec[] {
  const list = entries ?? DEFAULT_MODELS.map((m) => m.id)
  return list.map((e) => {
    const entry = typeof e === 'string' ? { id: e } : e
    const upstream = 'upstream' in entry && entry.upstream ? entry.upstream : entry.id
    const thinking = ('thinking' in entry && entry.thinking) || knownThinkingStyle(upstream)
    return {
      id: entry.id,
      ...(upstream !== entry.id ? { upstream } : {}),
      ownedBy: ('owned_by' in entry && entry.owned_by) || name,
      suffixes: ['thinking'],
      meta: { thinking },
    }
  })
}
