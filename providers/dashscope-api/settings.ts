// providers.dashscope-api settings beyond the common ones.
import { z } from 'zod'
import type { ModelSpec } from '../../src/kit/types.js'
import { DEFAULT_CHAT_MODELS, MEDIA_MODELS } from './constants.js'

const chatModel = z.union([
  z.string().min(1),
  z.object({ id: z.string().min(1), upstream: z.string().min(1).optional(), owned_by: z.string().optional() }),
])

export const settingsSchema = z.object({
  /** Chat and vision models served through compatible mode; absent = the default list. */
  models: z.array(chatModel).optional(),
  /** Extra headers for every request (e.g. X-DashScope-WorkSpace). */
  headers: z.record(z.string(), z.string()).default({}),
})
export type DashScopeSettings = z.infer<typeof settingsSchema>

export function toModelSpecs(entries: DashScopeSettings['models'], name: string): ModelSpec[] {
  const chat = (entries ?? DEFAULT_CHAT_MODELS).map((e): ModelSpec => {
    const entry = typeof e === 'string' ? { id: e } : e
    const upstream = 'upstream' in entry ? entry.upstream : undefined
    return { id: entry.id, ownedBy: ('owned_by' in entry && entry.owned_by) || name, ...(upstream ? { upstream } : {}) }
  })
  return [...chat, ...MEDIA_MODELS.map((m) => ({ ...m, ownedBy: name }))]
}
