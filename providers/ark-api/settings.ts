// providers.ark-api settings beyond the common ones.
import { z } from 'zod'
import type { ModelSpec } from '../../src/kit/types.js'
import { DEFAULT_CHAT_MODELS, MEDIA_MODELS } from './constants.js'

const model = z.union([
  z.string().min(1),
  z.object({
    id: z.string().min(1),
    upstream: z.string().min(1).optional(),
    owned_by: z.string().optional(),
    /** `image` or `video` for a Seedream/SeedEdit or Seedance model (or endpoint) this list adds; absent = chat. */
    kind: z.enum(['chat', 'image', 'video']).optional(),
  }),
])

export const settingsSchema = z.object({
  /** Chat models (names, or endpoint ids under a public name); absent = the default list. Media models are always offered. */
  models: z.array(model).optional(),
  /** Extra headers for every request. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Ark watermarks images and videos unless told not to; a request's own `watermark` wins. */
  watermark: z.boolean().default(false),
})
export type ArkSettings = z.infer<typeof settingsSchema>

export function toModelSpecs(entries: ArkSettings['models'], name: string): ModelSpec[] {
  const configured = (entries ?? DEFAULT_CHAT_MODELS).map((e): ModelSpec => {
    const entry = typeof e === 'string' ? { id: e } : e
    const upstream = 'upstream' in entry ? entry.upstream : undefined
    const kind = 'kind' in entry && entry.kind !== 'chat' ? entry.kind : undefined
    return { id: entry.id, ownedBy: ('owned_by' in entry && entry.owned_by) || name, ...(upstream ? { upstream } : {}), ...(kind ? { kind } : {}) }
  })
  const ids = new Set(configured.map((m) => m.id))
  return [...configured, ...MEDIA_MODELS.filter((m) => !ids.has(m.id)).map((m) => ({ ...m, ownedBy: name }))]
}
