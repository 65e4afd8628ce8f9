// providers.gemini-api settings beyond the common ones.
import { z } from 'zod'
import type { ModelSpec } from '../../src/kit/types.js'
import { DEFAULT_MODELS } from './constants.js'

const modelEntry = z.union([z.string().min(1), z.object({ id: z.string().min(1), upstream: z.string().min(1).optional(), owned_by: z.string().optional() })])

export const settingsSchema = z.object({
  /** Models to offer; absent = the current Gemini models. */
  models: z.array(modelEntry).optional(),
  /** Extra headers for every request (a Gemini-compatible gateway may want its own). */
  headers: z.record(z.string(), z.string()).default({}),
})
export type GeminiSettings = z.infer<typeof settingsSchema>

export function toModelSpecs(entries: GeminiSettings['models'], name: string): ModelSpec[] {
  return (entries ?? DEFAULT_MODELS).map((e) => {
    const entry = typeof e === 'string' ? { id: e } : e
    const upstream = 'upstream' in entry && entry.upstream ? entry.upstream : entry.id
    return {
      id: entry.id,
      ...(upstream !== entry.id ? { upstream } : {}),
      ownedBy: ('owned_by' in entry && entry.owned_by) || (name === 'gemini-api' ? 'google' : name),
      suffixes: ['thinking'],
    }
  })
}
