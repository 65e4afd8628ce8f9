// Graceful shutdown: stop accepting, let running answers finish for server.shutdown_grace_ms,
// then end the rest with a final error event (billed for what the client received), write what
// is queued, give back shared slots (Redis), and close the database (whichever engine it is). Nothing
// billed twice, nothing lost.
import type { Server } from 'node:http'
import { ChatFailure } from './core/chat/failure.js'
import type { InFlight } from './http/exchange.js'
import type { Services } from './services.js'

/** How long the final error events get to leave once the answers were stopped. */
const TAIL_MS = 2000

export async function shutdownGracefully(
  s: Services,
  server: Server,
  inflight: InFlight,
  graceMs: number,
  /** Close the WebSockets: upgraded connections are no longer the HTTP server's to close. */
  closeSockets: () => void = () => undefined,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  if (!(await s.chat.idle(graceMs))) {
    const failure = new ChatFailure('shutting_down', 'Freeway is shutting down; this answer was cut short')
    const stopped = s.chat.stopAll(failure)
    s.log.warn(`shutdown: ${stopped} answer(s) still running after ${graceMs} ms are ended with an error`)
    for (const controller of inflight) controller.abort(new DOMException('Freeway is shutting down', 'AbortError'))
    await s.chat.idle(TAIL_MS)
  }
  closeSockets()
  // Answers that finished leave keep-alive connections idle; what is still busy gets a moment.
  server.closeIdleConnections()
  const timer = setTimeout(() => server.closeAllConnections(), TAIL_MS)
  await closed
  clearTimeout(timer)
  // Unfinished media tasks stay in the database; the next start polls them on.
  s.tasks.stop()
  await s.tasks.idle()
  await s.recorder.flush()
  await s.billing.flush()
  await s.pool.flushTouches()
  // Slots held in Redis go back now rather than when their leases run out.
  await s.shared?.close()
  await s.db.close()
}
