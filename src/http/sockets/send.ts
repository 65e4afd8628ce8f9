// Sending on a socket without letting a slow reader grow the relay's memory: after each message,
// while more than `limit` bytes wait unsent, the sender waits, and so stops reading the upstream
// (whose own TCP window then fills). `ws` emits no drain event on the WebSocket itself, and the
// underlying socket is private, so the unsent amount is polled; a reader that keeps up never waits.
import { WebSocket } from 'ws'

const POLL_MS = 10

export async function sendPaced(ws: WebSocket, text: string, limit: number): Promise<boolean> {
  if (ws.readyState !== WebSocket.OPEN) return false
  ws.send(text)
  while (ws.bufferedAmount > limit) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    if (ws.readyState !== WebSocket.OPEN) return false
  }
  return true
}

export function sendNow(ws: WebSocket, text: string): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(text)
}
