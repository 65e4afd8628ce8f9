// POST /cozeZhsApi/stock/analyse: a prompt over a chat model the operator names `stock-analyst`
// (a route or alias in the config; the body's `model` overrides it) whose answer must be one JSON
// object of the seed's shape. A malformed answer fails the turn before billing: a 500 naming
// what was wrong, nothing charged.
import { z } from 'zod'
import { ChatFailure } from '../../../core/chat/failure.js'
import { ApiError } from '../../errors.js'
import type { SeedChatRoute } from './chat.js'
import { type SeedBody, str } from './mappers.js'

export const analysisSchema = z.object({
  stock_code: z.string(),
  analysis_type: z.string(),
  recommendation: z.string(),
  risk_level: z.string(),
  target_price: z.number().nullable(),
  analysis_date: z.string(),
})

/** The model's answer as the analysis, or why it is not one (a ```json fence around it is allowed). */
function parse(text: string): { ok: z.infer<typeof analysisSchema> } | { error: string } {
  const bare = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1')
  let raw: unknown
  try {
    raw = JSON.parse(bare)
  } catch {
    return { error: 'the model did not answer with JSON' }
  }
  const parsed = analysisSchema.safeParse(raw)
  if (parsed.success) return { ok: parsed.data }
  const issue = parsed.error.issues[0]!
  return { error: `the model's analysis is malformed: ${issue.path.join('.') || 'answer'}: ${issue.message}` }
}

function messages(body: SeedBody) {
  const code = str(body.stock_code)
  if (!code) throw ApiError.badRequest('stock_code: required')
  const type = str(body.analysis_type) ?? 'comprehensive'
  const today = new Date().toISOString().slice(0, 10)
  const system =
    'You are a stock analyst. Answer with one JSON object and nothing else: {"stock_code": string, "analysis_type": string, "recommendation": "buy"|"hold"|"sell", "risk_level": "low"|"medium"|"high", "target_price": number or null, "analysis_date": "YYYY-MM-DD"}.'
  return [
    { role: 'system' as const, content: system },
    { role: 'user' as const, content: `stock_code: ${code}\nanalysis_type: ${type}\nanalysis_date: ${today}` },
  ]
}

export const STOCK_ROUTE: SeedChatRoute = {
  path: '/cozeZhsApi/stock/analyse',
  summary: 'A stock analysis as JSON from a configured chat model (`stock-analyst`); a malformed answer is a 500, unbilled',
  fields: z.object({ stock_code: z.string(), analysis_type: z.string().optional(), model: z.string().optional() }),
  data: z.object({ analysis_result: analysisSchema }),
  model: 'stock-analyst',
  messages,
  accept(text) {
    const result = parse(text)
    return 'error' in result ? new ChatFailure('internal', result.error) : undefined
  },
  answer(text) {
    const result = parse(text)
    if ('error' in result) throw new ChatFailure('internal', result.error)
    return { analysis_result: result.ok }
  },
}
