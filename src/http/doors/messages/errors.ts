// Errors in Anthropic's shape: {"type":"error","error":{"type","message"}}. Core failures take the
// `anthropic` column of the failure table and the core's status; the shared preparation's errors
// (bad key, body too large, bad JSON) and this door's own 400s take the type of their status.
import { z } from 'zod'
import { ChatFailure } from '../../../core/chat/failure.js'
import type { Logger } from '../../../kit/log.js'
import { TURN_STATUSES, toApiError } from '../../errors.js'
import { FAILURES } from '../../failures.js'
import type { ErrorShape } from '../../route-doc.js'
import type { ErrorReply } from '../door.js'

const TYPE_OF_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
}

export interface AnthropicError {
  status: number
  type: string
  message: string
  retryAfterMs?: number | undefined
}

export function anthropicErrorOf(err: unknown, log: Logger): AnthropicError {
  if (err instanceof ChatFailure) {
    if (err.kind === 'internal') log.error(`internal failure: ${err.message}`)
    const message = err.kind === 'internal' ? 'internal error' : err.message
    return { status: err.status, type: FAILURES[err.kind].anthropic, message, retryAfterMs: err.detail.retryAfterMs }
  }
  const api = toApiError(err, log) // logs and hides what nobody expected
  const type = TYPE_OF_STATUS[api.status] ?? (api.status >= 500 ? 'api_error' : 'invalid_request_error')
  return { status: api.status, type, message: api.message }
}

const anthropicErrorSchema = z.object({ type: z.literal('error'), error: z.object({ type: z.string(), message: z.string() }) })
/** The Messages routes' failures (the same statuses as OpenAI's routes, Anthropic's body). */
export const ANTHROPIC_ERRORS: ErrorShape = { name: 'AnthropicError', schema: anthropicErrorSchema, statuses: TURN_STATUSES }

export const errorBody = (e: AnthropicError): z.infer<typeof anthropicErrorSchema> => ({ type: 'error', error: { type: e.type, message: e.message } })

export function errorReply(err: unknown, log: Logger): ErrorReply {
  const e = anthropicErrorOf(err, log)
  const reply: ErrorReply = { status: e.status, body: errorBody(e) }
  // The SDK and Claude Code wait as long as retry-after says before they try again.
  if (e.retryAfterMs !== undefined) reply.headers = { 'retry-after': String(Math.ceil(e.retryAfterMs / 1000)) }
  return reply
}
