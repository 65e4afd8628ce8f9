// A front door: one wire protocol in front of the core chat service. It parses its request,
// renders the turn's events (stream or whole) and renders failures in its own error shape.
// The Node fast lane and the hono app serve every door through the same preparation step
// (src/http/prepare.ts), so what one server layer checks the other cannot skip.
import type { Caller } from '../../core/chat/caller.js'
import type { SseOptions } from '../sse-response.js'

/** A request after the shared preparation: id, caller, body. */
export interface Prepared {
  /** Freeway's own id for the request (the usage row's key). */
  requestId: string
  /** The client's X-Request-Id, when it sent one. */
  clientRequestId: string | undefined
  /** performance.now() when the request arrived. */
  startedAt: number
  caller: Caller
  /** Parsed JSON, or a Buffer for doors that take their body as bytes. */
  body: unknown
  header(name: string): string | undefined
  /** The request's path and query, as sent. */
  url: string
  /** Gives back the rate limiter's concurrency slots; run once the response is over. */
  release?: (() => void) | undefined
}

export type Reply =
  | { kind: 'json'; status: number; headers?: Record<string, string>; body: unknown }
  /** A body that is not JSON (a transcription as plain text); `type` is its Content-Type. */
  | { kind: 'text'; status: number; type: string; body: string }
  /** The client left before anything was sent (logged as 499; nobody reads the answer). */
  | { kind: 'closed' }
  // biome-ignore lint/suspicious/noExplicitAny: each door streams its own event type
  | { kind: 'sse'; options: SseOptions<any> }

export interface ErrorReply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

/** A client that leaves before its answer is routine: one line at info, no stack. */
export const closedLine = (path: string, requestId: string) => `${path}: the client went away before the answer (499, request ${requestId})`

export interface Door {
  /** Path of the POST route, e.g. `/v1/chat/completions`. */
  path: string
  /** Served under server.route_prefix (the OpenAI-style doors) or at the root (the seeds' routes). */
  prefixed: boolean
  /** 'bytes': the body is passed on unread as a Buffer (uploads); JSON otherwise. */
  body?: 'json' | 'bytes'
  /** Takes multipart/form-data uploads as well as JSON (within server.upload_limit). */
  multipart?: boolean
  /** The admin secret is accepted as well as client keys (the seeds' routes, acting for any user_uuid). */
  adminActs?: boolean
  handle(req: Prepared, signal: AbortSignal): Promise<Reply>
  /** Any error of this door's requests (preparation included) in the door's own shape. */
  error(err: unknown): ErrorReply
}
