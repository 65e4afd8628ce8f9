// Sending on a socket without letting a slow reader grow the relay's memory: after each message,
// while more than `limit` bytes wait unsent, the sender waits, and so stops reading the upstream
// (whose own TCP window then fills). `ws` emits no drain event on the WebSocket itself, and the
// underlying socket is private, so the unsent amount is polled; a reader that keeps up never waits.
import type { WebSocket } from 'ws'

/** WebSocket.OPEN (the readyState of the standard), without loading `ws` for a constant. */
export const OPEN = 1

const POLL_MS = 10

export async function sendPaced(ws: WebSocket, text: string, limit: number): Promise<boolean> {
  if (ws.readyState !== OPEN) return false
  ws.send(text)
  while (ws.bufferedAmount > limit) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    if (ws.readyState !== OPEN) return false
  }
  return true
}

export function sendNow(ws: WebSocket, text: string): void {
  if (ws.readyState === OPEN) ws.send(text)
}
