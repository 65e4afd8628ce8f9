// Typed context variables shared by every route.
import type { ClientIdentity } from './middleware/client-auth.js'

export type AppEnv = {
  Variables: {
    /** Freeway's own id for the request (the usage row's key). */
    requestId: string
    /** The client's X-Request-Id, when it sent one. */
    clientRequestId: string | undefined
    /** performance.now() when the request arrived. */
    startedAt: number
    client: ClientIdentity
    /** Headers every response carries (request id, CORS). */
    baseHeaders: Record<string, string>
  }
}
