// The one table from failure kinds to what each door's error says. The status comes from the
// core (statusOfKind); a door picks its columns. A failure's own code (e.g. model_not_priced)
// wins over the table's.
import type { ChatFailureKind } from '../core/chat/failure.js'

export interface FailureRow {
  /** OpenAI error `type` and `code` (chat completions, Responses, embeddings, sessions). */
  openai: readonly [type: string, code: string | null]
  /** Anthropic error `type` (Messages). */
  anthropic: string
}

export const FAILURES: Readonly<Record<ChatFailureKind, FailureRow>> = {
  invalid_request: { openai: ['invalid_request_error', 'invalid_request'], anthropic: 'invalid_request_error' },
  not_supported: { openai: ['invalid_request_error', 'not_supported'], anthropic: 'invalid_request_error' },
  permission: { openai: ['permission_error', 'model_not_allowed'], anthropic: 'permission_error' },
  model_not_found: { openai: ['invalid_request_error', 'model_not_found'], anthropic: 'not_found_error' },
  session_not_found: { openai: ['invalid_request_error', 'session_not_found'], anthropic: 'not_found_error' },
  balance: { openai: ['insufficient_quota', 'insufficient_quota'], anthropic: 'billing_error' },
  session_busy: { openai: ['conflict_error', 'session_busy'], anthropic: 'invalid_request_error' },
  rate_limited: { openai: ['rate_limit_error', 'rate_limit_exceeded'], anthropic: 'rate_limit_error' },
  quota_exhausted: { openai: ['insufficient_quota', 'insufficient_quota'], anthropic: 'rate_limit_error' },
  aborted: { openai: ['api_error', 'client_closed'], anthropic: 'api_error' },
  internal: { openai: ['server_error', 'internal_error'], anthropic: 'api_error' },
  unavailable: { openai: ['api_error', 'upstream_error'], anthropic: 'api_error' },
  protocol: { openai: ['api_error', 'upstream_protocol_error'], anthropic: 'api_error' },
  credential_invalid: { openai: ['api_error', 'no_available_credential'], anthropic: 'overloaded_error' },
  no_credential: { openai: ['api_error', 'no_available_credential'], anthropic: 'overloaded_error' },
  timeout: { openai: ['api_error', 'upstream_timeout'], anthropic: 'api_error' },
  shutting_down: { openai: ['api_error', 'shutting_down'], anthropic: 'overloaded_error' },
}
