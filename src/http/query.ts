// Query strings and path parameters of the OpenAI-style routes, read through the zod schema their
// RouteDoc shows: a bad value is OpenAI's 400 naming the parameter.
import type { z } from 'zod'
import { ApiError } from './errors.js'

export function openaiQuery<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const param = issue.path.map(String).join('.')
  throw ApiError.badRequest(`${param || 'query'}: ${issue.message}`, param || null, 'invalid_value')
}
