// POST /chat/stream's body: `data: {"type":"chunk",...}` per text delta, then one "complete" (or
// "error") line. Comment pings keep proxies from closing a silent stream.
import type { Context } from 'hono'
import type { DeltaEvent } from '../kit/types.js'
import type { Services } from '../services.js'
import type { AppEnv } from './app-env.js'
import { type Turn, abandonTurn, completeTurn } from './session-turn.js'
import { SSE_HEADERS, sseResponse } from './sse-response.js'

const line = (type: string, data: Record<string, unknown>) => `data: ${JSON.stringify({ type, data })}\n\n`

export function streamTurn(s: Services, c: Context<AppEnv>, turn: Turn): Response {
  let index = 0
  let full = ''
  return sseResponse<DeltaEvent>(c, {
    headers: { ...SSE_HEADERS, 'X-Request-Id': c.get('requestId'), 'X-Session-Id': turn.row.sessionId },
    pingMs: s.config.server.ping_interval_ms,
    events: turn.relay.events(),
    handlers: {
      render(e) {
        if (e.type !== 'text' || !e.text) return ''
        full += e.text
        return line('chunk', { content: e.text, chunk_index: index++ })
      },
      end() {
        const { row } = completeTurn(s, turn)
        return line('complete', { total_chunks: index, full_content: full, session_id: row.sessionId, conversation_id: row.conversationId })
      },
      fail(err) {
        const api = abandonTurn(s, turn, err, true)
        return api ? line('error', { message: api.message }) : ''
      },
      // The client went away: bill what it was sent, keep the history as it was.
      abandoned: () => abandonTurn(s, turn, new DOMException('client disconnected', 'AbortError'), true),
    },
  })
}
