// The OpenAPI document, built from the routes the app really mounts, so none can be missing.
import { VERSION } from '../services.js'

export interface MountedRoute {
  method: string
  path: string
}

const summaries: Record<string, string> = {
  'POST /v1/chat/completions': 'Chat completion, streaming (SSE) or not; OpenAI-compatible',
  'GET /v1/models': 'List routable models (media models with their kind)',
  'POST /v1/images/generations': 'Images from a prompt (url or b64_json); answers when they exist',
  'POST /v1/images/edits': 'Edit images: a form (image[] files, mask) or JSON with image URLs',
  'POST /v1/audio/transcriptions': 'Speech to text: a form with the file, or JSON with file_url',
  'POST /v1/videos': 'Start a video (or, with a music model, a song) task; answers at once with the queued task',
  'GET /v1/videos': "The caller's media tasks, newest first (?limit=&after=)",
  'GET /v1/videos/{id}': 'One media task: status, progress, result URLs',
  'GET /v1/videos/{id}/content': 'Redirect to (or send) the result of a completed task',
  'GET /v1/models/{id}': 'One model',
  'POST /v1/responses': 'OpenAI Responses API: a response or its event stream (SSE); store and previous_response_id',
  'GET /v1/responses/{id}': 'A stored response (its creator only)',
  'DELETE /v1/responses/{id}': 'Delete a stored response',
  'GET /v1/responses/{id}/input_items': 'The input items of a stored response (?limit=&order=&after=)',
  'GET /health': 'Liveness: status, version, uptime, database',
  'GET /': 'Name, version, links',
  'POST /api/auth/verify': 'Check the admin secret',
  'PUT /api/key': 'Create a client key (generated and shown once when apiKey is omitted)',
  'POST /api/key/update': 'Update a client key',
  'DELETE /api/key/{id}': 'Delete a client key',
  'GET /api/key/all': 'List client keys (masked)',
  'PUT /api/cookie': 'Add an upstream credential (provider defaults to hixai-web); probed first',
  'POST /api/cookie/update': 'Replace a credential secret or remark',
  'DELETE /api/cookie/{id}': 'Delete a credential',
  'GET /api/cookie/all': 'List credentials (secrets masked)',
  'POST /api/cookie/credit/refresh': 'Refresh credits of every credential in the background',
  'PUT /api/credential': 'Add an upstream credential for any provider',
  'GET /api/credential': 'List credentials, optionally ?provider=',
  'DELETE /api/credential/{id}': 'Delete a credential',
  'POST /api/credential/{id}/probe': 'Probe a credential now',
  'POST /api/credential/{id}/enable': 'Enable (or {"enabled":false} disable) a credential',
  'GET /api/usage': 'Usage records, newest first (?provider=&key_id=&limit=&offset=)',
  'POST /user/token/add': 'Add tokens to a user (created if new); honours Idempotency-Key',
  'GET /user/list': 'Users and balances (?page=&page_size=&user_id=)',
  'POST /user/update/mode': "Set a user's default model (form or JSON: user_id, mode)",
  'GET /record/list': 'Chat records, newest first (?page=&pageSize=&isDeleted=&user_id=)',
  'POST /record/delete': 'Soft-delete records ({"id"} or {"ids":[...]})',
  'POST /chat': 'Session chat: {message, session_id?, user_id?, model?} → {response, session_id, ...}',
  'POST /chat/stream': 'Session chat as SSE lines: chunk…, then complete (or error)',
  'GET /session/{id}/info': 'A chat session: user, upstream conversation, last activity, message count, status',
  'POST /session/{id}/clear': "Forget a session's history",
  'POST /cozeZhsApi/luyala/video/create': 'Seed route: a video for user_uuid, answered when done ({video_url, task_id})',
}

/** Root-level admin paths of the seeds' user-token API (behind the admin secret). */
const isAdminPath = (path: string) => path.startsWith('/api/') || path.startsWith('/user/') || path.startsWith('/record/')
const isSessionPath = (path: string) => path === '/chat' || path === '/chat/stream' || path.startsWith('/session/')

export function openApiPath(path: string): string {
  return path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')
}

export function buildOpenApi(routes: readonly MountedRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue
    const path = openApiPath(r.path)
    const method = r.method.toLowerCase()
    const admin = isAdminPath(path)
    const session = isSessionPath(path)
    paths[path] ??= {}
    paths[path]![method] = {
      summary: summaries[`${r.method} ${path.replace(/^\/[^/]+(?=\/v1\/)/, '')}`] ?? summaries[`${r.method} ${path}`] ?? path,
      tags: [admin ? 'admin' : session ? 'sessions' : path.includes('/v1/') ? 'openai' : 'system'],
      security: admin ? [{ adminSecret: [] }] : path.includes('/v1/') || session ? [{ bearer: [] }] : [],
      responses: { '200': { description: 'success' } },
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Freeway', version: VERSION, description: 'OpenAI-compatible relay for web chats and official model APIs' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        adminSecret: { type: 'apiKey', in: 'header', name: 'Authorization' },
      },
    },
    paths,
  }
}

/** Where the page finds Swagger UI's files; the relay serves them (docs.routes.ts), no CDN. */
export interface SwaggerAssets {
  css: string
  bundle: string
  icon: string
}

// validatorUrl: null, because Swagger UI otherwise shows a badge loaded from its online validator.
export const swaggerHtml = (specUrl: string, assets: SwaggerAssets) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Freeway API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="${assets.icon}">
<link rel="stylesheet" href="${assets.css}"></head>
<body><div id="ui"></div>
<script src="${assets.bundle}"></script>
<script>SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#ui', deepLinking: true, validatorUrl: null })</script>
</body></html>`
