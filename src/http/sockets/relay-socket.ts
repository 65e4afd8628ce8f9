// The `ws` side of the hub, loaded on the first upgrade request: a relay that serves no
// WebSocket never holds `ws` (about 1 MB of heap at start).
import { WebSocket, WebSocketServer } from 'ws'

/**
 * A socket that says when its closing handshake begins ('closing'): ws calls close() as soon as
 * the peer's close frame arrives, while 'close' waits for the TCP connection to end, which can
 * take seconds. Routes stop their work (abort the upstream call) on 'closing'.
 */
export class RelaySocket extends WebSocket {
  private closingSaid = false

  override close(code?: number, data?: string | Buffer): void {
    if (!this.closingSaid) {
      this.closingSaid = true
      this.emit('closing')
    }
    super.close(code, data)
  }
}

/** The hub's server: no port of its own, 1 MB messages at most. */
export const socketServer = () => new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, WebSocket: RelaySocket })
