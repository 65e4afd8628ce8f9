// One error class that renders itself in OpenAI's shape, and the OpenAI column of the failure
// table for what the core reports.
import { z } from 'zod'
import { type ChatFailureKind, ChatFailure, statusOfKind } from '../core/chat/failure.js'
import type { Logger } from '../kit/log.js'
import { FAILURES } from './failures.js'
import type { ErrorShape } from './route-doc.js'

/** OpenAI's error body, as every OpenAI-style route answers failures. */
export const openaiErrorSchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
})
export type OpenAIErrorBody = z.infer<typeof openaiErrorSchema>

/**
 * What a chat turn may fail with: the core's failure table (499 is a client that left, who reads
 * nothing) plus the preparation's 401 and 413 and an upstream's own 404/422, passed on.
 */
export const TURN_STATUSES: readonly number[] = [
  ...new Set([401, 413, 422, ...Object.keys(FAILURES).map((kind) => statusOfKind(kind as ChatFailureKind))]),
]
  .filter((status) => status !== 499)
  .sort((a, b) => a - b)

export const OPENAI_TURN_ERRORS: ErrorShape = { name: 'OpenAIError', schema: openaiErrorSchema, statuses: TURN_STATUSES }
/** OpenAI's error body with these statuses (and 500, which any route may answer). */
export const openaiErrors = (...statuses: number[]): ErrorShape => ({ name: 'OpenAIError', schema: openaiErrorSchema, statuses: [...statuses, 500] })

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  body(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } }
  }

  static badRequest(message: string, param: string | null = null, code: string | null = null) {
    return new ApiError(400, message, 'invalid_request_error', code, param)
  }
  static unauthorized(message: string) {
    return new ApiError(401, message, 'authentication_error', 'invalid_api_key')
  }
  static notFound(message: string, code = 'not_found') {
    return new ApiError(404, message, 'invalid_request_error', code)
  }
  static tooLarge(limit: number) {
    return new ApiError(413, `request body exceeds ${limit} bytes`, 'invalid_request_error', 'request_too_large')
  }
}

/** A core failure in OpenAI's shape. */
export function openaiError(f: ChatFailure): ApiError {
  const [type, code] = FAILURES[f.kind].openai
  return new ApiError(f.status, f.message, type, f.detail.code ?? code, f.detail.param ?? null)
}

/** What a handler threw, as the error the client gets; anything unexpected is logged and hidden. */
export function toApiError(err: unknown, log: Logger): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof ChatFailure) {
    const cause = err.detail.cause as Error | undefined
    if (cause) log.error(`internal failure: ${cause.stack ?? cause}`)
    return openaiError(err)
  }
  log.error(`unhandled error: ${(err as Error)?.stack ?? String(err)}`)
  return new ApiError(500, 'internal error', 'server_error', 'internal_error')
}

/** An OpenAI-shaped door's error reply: the status and body OpenAI's clients read. */
export function openaiErrorReply(err: unknown, log: Logger): { status: number; body: unknown } {
  const api = toApiError(err, log)
  return { status: api.status, body: api.body() }
}
