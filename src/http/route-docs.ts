// Every route family's RouteDocs, for openapi.ts. A family adds its list here; a route mounted
// without an entry fails test/http/openapi.test.ts. The lists are built on the first request for
// the document: their response schemas exist only for it, and at start they were a third of the
// zod objects the relay kept resident.
import { adminConsoleDocs } from './admin-console.routes.js'
import { adminCredentialDocs } from './admin-credentials.routes.js'
import { confDocs } from './conf.routes.js'
import { consoleDocs } from './console.routes.js'
import { adminKeyDocs } from './admin-keys.routes.js'
import { adminDocs } from './admin.routes.js'
import { docsDocs } from './docs.routes.js'
import { communicateDocs } from './doors/communicate/door.js'
import { embeddingsDocs } from './doors/embeddings/door.js'
import { mediaDocs } from './doors/media/schemas.js'
import { messagesDocs } from './doors/messages/schemas.js'
import { chatDocs } from './doors/openai/schemas.js'
import { SEED_CHAT_ROUTES } from './doors/seed-media/chat.js'
import { SEED_MEDIA_ROUTES } from './doors/seed-media/routes.js'
import { seedRouteDoc } from './doors/seed-media/schemas.js'
import { responsesDocs } from './doors/responses/schemas.js'
import { sessionDocs } from './doors/sessions/schemas.js'
import { mcpDocs } from './mcp.routes.js'
import { metricsDocs } from './metrics.routes.js'
import { modelDocs } from './models.routes.js'
import type { RouteDoc } from './route-doc.js'
import { systemDocs } from './system.routes.js'
import { userAdminDocs } from './user-admin.routes.js'

let built: readonly RouteDoc[] | undefined

export function routeDocs(): readonly RouteDoc[] {
  built ??= [
  ...chatDocs(),
  ...responsesDocs(),
  ...messagesDocs(),
  ...embeddingsDocs(),
  ...mediaDocs(),
  ...SEED_MEDIA_ROUTES.map(seedRouteDoc),
  ...SEED_CHAT_ROUTES.map(seedRouteDoc),
  ...modelDocs(),
  ...sessionDocs(),
  ...communicateDocs(),
  ...adminDocs(),
  ...adminKeyDocs(),
  ...adminCredentialDocs(),
  ...adminConsoleDocs(),
  ...userAdminDocs(),
  ...mcpDocs(),
  ...confDocs(),
  ...systemDocs(),
  ...metricsDocs(),
  ...docsDocs(),
  ...consoleDocs(),
]
  return built
}
