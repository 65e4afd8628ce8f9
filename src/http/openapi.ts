// The OpenAPI 3.1 document, built from the routes the app mounts and each one's RouteDoc: the zod
// schemas its handler validates with, turned into JSON Schema by zod itself (z.toJSONSchema), so
// the document says what the relay enforces. A mounted route without a RouteDoc is left out and
// named by undocumentedRoutes(), which a test keeps empty.
import { STATUS_CODES } from 'node:http'
import { z } from 'zod'
import { VERSION } from '../services.js'
import type { RouteDoc } from './route-doc.js'
import { routeDocs } from './route-docs.js'

export interface MountedRoute {
  method: string
  path: string
}

/** hono's `:id` and `:id{.+}` as OpenAPI's `{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')
}

/**
 * The mounted routes that are API operations, once each: hono also lists its middleware (method
 * ALL) and the wildcard routes (CORS preflight, Swagger UI's files), which the document leaves out.
 */
export function apiRoutes(routes: readonly MountedRoute[]): MountedRoute[] {
  const seen = new Map<string, MountedRoute>()
  for (const r of routes) {
    if (r.method === 'ALL' || r.method === 'OPTIONS' || r.path.includes('*')) continue
    const route = { method: r.method, path: openApiPath(r.path) }
    seen.set(`${route.method} ${route.path}`, route)
  }
  return [...seen.values()]
}

const docPath = (doc: RouteDoc, prefix: string) => (doc.prefixed ? prefix + doc.path : doc.path)

export function docOf(route: MountedRoute, prefix: string, docs: readonly RouteDoc[] = routeDocs()): RouteDoc | undefined {
  const method = route.method.toLowerCase()
  const path = openApiPath(route.path)
  return docs.find((d) => d.method === method && docPath(d, prefix) === path)
}

export function undocumentedRoutes(routes: readonly MountedRoute[], prefix: string): MountedRoute[] {
  return apiRoutes(routes).filter((r) => !docOf(r, prefix))
}

type Json = Record<string, unknown>

/**
 * A schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect). Requests are described as clients send
 * them (io: input: defaults optional, coercions as their input), answers as the relay writes them.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json
  return rest
}

function parameters(where: 'path' | 'query' | 'header', schema: z.ZodObject | undefined): Json[] {
  if (!schema) return []
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] }
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property
    const required = where === 'path' || (object.required ?? []).includes(name)
    return { name, in: where, required, ...(description ? { description } : {}), schema: rest }
  })
}

function requestBody(doc: RouteDoc): Json | undefined {
  // OpenAPI 3.1: a media type without a schema is any bytes.
  if (doc.upload) return { required: false, description: doc.upload, content: { '*/*': {} } }
  if (!doc.body) return undefined
  const schema = jsonSchema(doc.body, 'input')
  const content: Json = { 'application/json': { schema } }
  if (doc.forms) {
    content['application/x-www-form-urlencoded'] = { schema }
    content['multipart/form-data'] = { schema }
  }
  // Admin routes read an empty body as no fields: the body is optional where no field is required.
  return { required: !doc.body.safeParse({}).success, content }
}

function responses(doc: RouteDoc, components: Record<string, Json>): Json {
  const content: Json = {}
  if (doc.response) content['application/json'] = { schema: jsonSchema(doc.response, 'output') }
  if (doc.stream) content['text/event-stream'] = { schema: { type: 'string', description: doc.stream } }
  if (doc.html) content['text/html'] = { schema: { type: 'string' } }
  if (doc.text) content['text/plain'] = { schema: { type: 'string', description: doc.text } }
  const out: Json = { [String(doc.status ?? 200)]: { description: doc.html ? 'the page' : 'success', content } }
  components[doc.errors.name] ??= jsonSchema(doc.errors.schema, 'output')
  const ref = { $ref: `#/components/schemas/${doc.errors.name}` }
  for (const status of doc.errors.statuses) {
    out[String(status)] = { description: STATUS_CODES[status] ?? 'error', content: { 'application/json': { schema: ref } } }
  }
  return out
}

const SECURITY = {
  client: [{ bearer: [] }, { apiKeyHeader: [] }],
  admin: [{ adminSecret: [] }],
  none: [],
}

function operation(doc: RouteDoc, path: string, components: Record<string, Json>): Json {
  const params = [...parameters('path', doc.params), ...parameters('query', doc.query), ...parameters('header', doc.headers)]
  const body = requestBody(doc)
  return {
    // A trailing slash names a page of its own (/console/ beside its redirect /console).
    operationId: `${doc.method}${path.replace(/(.)\/$/, '$1/index').replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    security: SECURITY[doc.auth],
    ...(params.length ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responses(doc, components),
  }
}

/** The document for the routes the app mounts (admin ones only when the admin API is on). */
export function buildOpenApi(routes: readonly MountedRoute[], prefix: string) {
  const paths: Record<string, Json> = {}
  const schemas: Record<string, Json> = {}
  for (const route of apiRoutes(routes)) {
    const doc = docOf(route, prefix)
    if (!doc) continue
    paths[route.path] ??= {}
    paths[route.path]![doc.method] = operation(doc, route.path, schemas)
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Freeway', version: VERSION, description: 'OpenAI-compatible relay for web chats and official model APIs' },
    tags: [
      { name: 'openai', description: 'OpenAI-compatible API' },
      { name: 'anthropic', description: 'Anthropic Messages API' },
      { name: 'sessions', description: 'Server-side chat sessions (the seeds’ /chat and /communicate routes)' },
      { name: 'admin', description: 'Keys, credentials, users, records, MCP servers, runtime configuration (behind the admin secret)' },
      { name: 'system', description: 'Health, this document, Swagger UI' },
    ],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A client key (or, on pass-through providers, an upstream token)' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'A client key, as the Anthropic SDK sends it' },
        adminSecret: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'BACKEND_SECRET, bare or as Bearer' },
      },
      schemas,
    },
    paths,
  }
}
