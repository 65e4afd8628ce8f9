// Typed context variables shared by every route.
import type { ClientIdentity } from './middleware/client-auth.js'

export type AppEnv = {
  Variables: {
    requestId: string
    /** performance.now() when the request arrived. */
    startedAt: number
    client: ClientIdentity
    /** Headers every response carries (request id, CORS). */
    baseHeaders: Record<string, string>
  }
}
