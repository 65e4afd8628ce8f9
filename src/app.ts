// createApp(services): mounts every route and door; no I/O at import time.
import { performance } from 'node:perf_hooks'
import { Hono } from 'hono'
import type { Services } from './services.js'
import { ResponsesStore } from './core/responses-store.js'
import { adminRoutes } from './http/admin.routes.js'
import { consoleRoutes } from './http/console.routes.js'
import type { AppEnv } from './http/app-env.js'
import type { Door } from './http/doors/door.js'
import { mountDoors } from './http/doors/mount.js'
import { communicateDoors } from './http/doors/communicate/door.js'
import { embeddingsDoor } from './http/doors/embeddings/door.js'
import { imageDoors } from './http/doors/media/images.js'
import { transcriptionDoor } from './http/doors/media/transcriptions.js'
import { videoDoor, videoRoutes } from './http/doors/media/videos.js'
import { SEED_CHAT_ROUTES, seedChatDoors } from './http/doors/seed-media/chat.js'
import { seedMediaDoors } from './http/doors/seed-media/door.js'
import { SEED_MEDIA_ROUTES } from './http/doors/seed-media/routes.js'
import { messagesDoors } from './http/doors/messages/door.js'
import { openaiChatDoor } from './http/doors/openai/chat.js'
import { responsesDoor } from './http/doors/responses/door.js'
import { responseRoutes } from './http/doors/responses/routes.js'
import { sessionDoors } from './http/doors/sessions/chat.js'
import { sessionRoutes } from './http/doors/sessions/routes.js'
import { adminFailureFor } from './http/envelope.js'
import { ApiError, toApiError } from './http/errors.js'
import { baseHeaders } from './http/exchange.js'
import type { DoorServing } from './http/fast-lane.js'
import { clientAuth } from './http/middleware/client-auth.js'
import { confRoutes } from './http/conf.routes.js'
import { mcpRoutes } from './http/mcp.routes.js'
import { metricsRoutes } from './http/metrics.routes.js'
import { modelRoutes } from './http/models.routes.js'
import { requestIds } from './http/prepare.js'
import { systemRoutes } from './http/system.routes.js'
import { socketHub } from './http/sockets/routes.js'
import { userAdminRoutes } from './http/user-admin.routes.js'

/** Every way into the core chat service. */
function doorsOf(s: Services): Door[] {
  const common = { chat: s.chat, pingMs: s.config.server.ping_interval_ms, log: s.log }
  const media = { tasks: s.tasks, waitMs: s.config.tasks.wait_ms, log: s.log }
  return [
    openaiChatDoor({ ...common, agents: { mcp: s.mcp, maxSteps: () => s.config.agents.max_steps } }),
    ...sessionDoors(common),
    responsesDoor({ ...common, store: new ResponsesStore(s.db) }),
    ...messagesDoors(common),
    embeddingsDoor({ embeddings: s.embeddings, log: s.log }),
    ...communicateDoors({ ...common, assistant: s.assistant, allowAnonymous: () => s.config.security.allow_anonymous }),
    ...imageDoors(media),
    transcriptionDoor(media),
    videoDoor(media),
    ...seedMediaDoors(SEED_MEDIA_ROUTES, media),
    ...seedChatDoors(SEED_CHAT_ROUTES, common),
  ]
}

export function createApp(s: Services) {
  const app = new Hono<AppEnv>()
  const prefix = s.config.server.route_prefix
  const cors = s.config.server.cors
  const adminOrigins = s.config.admin.cors_origins
  // The OpenAI and session routes follow server.cors; the admin families answer listed origins only.
  const corsFor = (path: string, origin: string | undefined): boolean | string => {
    if (!adminFailureFor(path)) return cors
    return origin !== undefined && adminOrigins.includes(origin) ? origin : false
  }
  const serving: DoorServing = {
    doors: doorsOf(s),
    routePrefix: prefix,
    prepare: {
      keys: s.keys,
      allowAnonymous: s.config.security.allow_anonymous,
      bodyLimit: s.config.server.body_limit,
      uploadLimit: s.config.server.upload_limit,
      adminSecret: s.config.admin.secret,
      limiter: s.limiter,
    },
    log: s.log,
    inflight: s.inflight,
    baseHeaders: (requestId) => baseHeaders(requestId, cors),
  }

  // Headers go on the context before the handler runs: touching c.res afterwards would turn
  // node-server's lightweight response into a full web Response on every request.
  app.use('*', async function requestContext(c, next) {
    c.set('startedAt', performance.now())
    const ids = requestIds(c.req.header('x-request-id'))
    c.set('requestId', ids.requestId)
    c.set('clientRequestId', ids.clientRequestId)
    const base = baseHeaders(ids.visible, corsFor(c.req.path, c.req.header('origin')))
    c.set('baseHeaders', base)
    for (const name in base) c.header(name, base[name])
    await next()
  })
  app.options('*', (c) => {
    if (!corsFor(c.req.path, c.req.header('origin'))) {
      const failure = adminFailureFor(c.req.path)
      return failure ? failure(c, 403, 'this origin is not listed in admin.cors_origins') : c.notFound()
    }
    return c.body(null, 204, {
      'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'Access-Control-Allow-Headers': c.req.header('access-control-request-headers') ?? 'authorization, content-type',
      'Access-Control-Max-Age': '86400',
    })
  })

  app.onError((err, c) => {
    const api = toApiError(err, s.log)
    return c.json(api.body(), api.status as 400)
  })
  app.notFound((c) => {
    const message = `no route for ${c.req.method} ${c.req.path}`
    const failure = adminFailureFor(c.req.path)
    if (failure) return failure(c, 404, message)
    const api = ApiError.notFound(message)
    // The session routes answer in their own envelope, unknown paths included.
    if (c.req.path.startsWith('/session/')) return c.json({ detail: api.message, ...api.body() }, 404)
    return c.json(api.body(), 404)
  })

  // Doors first: the OpenAI sub-app's client-auth middleware must not run again for them.
  mountDoors(app, serving)
  const openai = new Hono<AppEnv>()
  openai.use('*', clientAuth(s.keys, s.config.security.allow_anonymous))
  openai.route('/', modelRoutes(s))
  openai.route('/', responseRoutes(new ResponsesStore(s.db)))
  openai.route('/', videoRoutes(s.tasks))
  app.route(`${prefix}/v1`, openai)

  if (s.config.admin.enabled) app.route('/api', adminRoutes(s))
  // The seeds' compatibility routes sit at the root, like /api: their clients hard-code the paths.
  if (s.config.admin.enabled) app.route('/', userAdminRoutes(s))
  if (s.config.admin.enabled) app.route('/', consoleRoutes(prefix))
  if (s.config.admin.enabled) app.route('/', mcpRoutes(s))
  if (s.config.admin.enabled) app.route('/', confRoutes(s))
  app.route('/', sessionRoutes(s.chat, s.keys, s.config.security.allow_anonymous, s.log))
  app.route('/', metricsRoutes(s))
  // The document's builder and the route families' doc schemas load on the first request for it.
  app.route('/', systemRoutes(s, () => import('./http/openapi.js').then((m) => m.buildOpenApi(app.routes, prefix))))
  return Object.assign(app, { serving, sockets: socketHub(s, serving.inflight) })
}
