// providers.coze-api settings beyond base_url and the common ones.
import { z } from 'zod'
import type { ModelSpec } from '../../src/kit/types.js'
import { MODEL_PREFIX, PROVIDER_ID } from './constants.js'

// Coze bot ids (19 digits) exceed 2^53: unquoted in YAML they would silently lose digits.
const botId = z
  .string({ error: 'Coze bot ids must be quoted strings in config.yaml (unquoted they lose digits)' })
  .regex(/^\S+$/, 'a bot id has no spaces')

export const settingsSchema = z.object({
  /** Model name → bot id. Names get the `coze-` prefix unless they already have it. */
  bots: z.record(z.string(), botId).default({}),
  /** Coze `user_id` when the request names no user; keep it stable so conversations stay found. */
  user_id: z.string().min(1).default('freeway'),
  /** Non-stream chats: wait between two status polls. */
  poll_interval_ms: z.number().int().min(50).default(1_000),
  /** Non-stream chats: give up (and cancel the chat) after this long. */
  poll_timeout_ms: z.number().int().min(100).default(120_000),
})

export type CozeSettings = z.infer<typeof settingsSchema>

export const modelNameFor = (name: string) => (name.startsWith(MODEL_PREFIX) ? name : MODEL_PREFIX + name)

/** Models come from the bot map: `coze-<name>` routed upstream as the bot id. */
export function modelsFrom(bots: Record<string, string>): ModelSpec[] {
  return Object.entries(bots).map(([name, id]) => ({ id: modelNameFor(name), upstream: id, ownedBy: PROVIDER_ID, meta: { botId: id } }))
}

/** The bot map keyed the way requests arrive (public name or bot id both resolve). */
export function botLookup(bots: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, id] of Object.entries(bots)) out[modelNameFor(name)] = id
  return out
}
