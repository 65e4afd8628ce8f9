// What the OpenAPI document says about one route: the zod schemas its handler validates with
// (body, path parameters, query) and the shapes it answers with, success and failure. Each route
// family exports its list beside its routes; openapi.ts builds the document from them, and a test
// fails when a mounted route has no entry, so the document cannot drift from the validation.
import type { z } from 'zod'

export type Method = 'get' | 'post' | 'put' | 'delete'

/** A route family's error body, named once in the document's components. */
export interface ErrorShape {
  name: string
  schema: z.ZodType
  /** The statuses the family's routes may answer with this body. */
  statuses: readonly number[]
}

export interface RouteDoc {
  method: Method
  /** The path as mounted, `{name}` for parameters; for `prefixed` routes, without server.route_prefix. */
  path: string
  /** Served under server.route_prefix (the OpenAI-style routes under /v1). */
  prefixed?: boolean
  summary: string
  description?: string
  tag: 'openai' | 'anthropic' | 'sessions' | 'admin' | 'system'
  /** Client keys (Bearer or x-api-key), the admin secret, or nothing. */
  auth: 'client' | 'admin' | 'none'
  /** The JSON body's schema, the one the handler parses with. */
  body?: z.ZodType
  /** The body, optional, is an uploaded file of any type (read as bytes, not parsed): what it is for. */
  upload?: string
  /** The body may also come as a form post (urlencoded or multipart), as the seeds' clients send it. */
  forms?: boolean
  params?: z.ZodObject
  query?: z.ZodObject
  headers?: z.ZodObject
  /** The success answer's JSON (absent for pages). */
  response?: z.ZodType
  /** The success status, when not 200. */
  status?: number
  /** The answer is also (or only, without `response`) a server-sent event stream, so described. */
  stream?: string
  /** The answer is an HTML page. */
  html?: boolean
  /** The answer is plain text (e.g. /metrics), so described. */
  text?: string
  errors: ErrorShape
}

/** Statuses the admin guard and body limit answer. */
export const ADMIN_GUARD_STATUSES = [401, 403, 413] as const
