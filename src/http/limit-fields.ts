// The rate-limit fields the admin routes take and show (keys and users alike).
import { z } from 'zod'

const perMinute = z.number().int().positive().nullable().optional()

/** rpm, tpm, concurrency; null clears a value (the key falls back to limits.defaults). */
export const limitSpecSchema = z.object({
  rpm: perMinute.meta({ description: 'Requests per minute' }),
  tpm: perMinute.meta({ description: 'Tokens per minute (prompt plus completion, counted when a request settles)' }),
  concurrency: perMinute.meta({ description: 'Requests at once' }),
})

/** A key's per-model limits: { models: { <model>: { rpm, tpm, concurrency } } }. */
export const keyLimitsSchema = z.object({ models: z.record(z.string(), limitSpecSchema).optional() }).nullable().optional()
