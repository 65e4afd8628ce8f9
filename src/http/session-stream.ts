// POST /chat/stream's body: `data: {"type":"chunk",...}` per text delta, then one "complete" (or
// "error") line. Comment pings keep proxies from closing a silent stream.
import { performance } from 'node:perf_hooks'
import type { Context } from 'hono'
import type { Services } from '../services.js'
import type { AppEnv } from './app-env.js'
import { type Turn, abandonTurn, completeTurn } from './session-turn.js'

const line = (type: string, data: Record<string, unknown>) => `data: ${JSON.stringify({ type, data })}\n\n`

export function streamTurn(s: Services, c: Context<AppEnv>, turn: Turn): Response {
  const encoder = new TextEncoder()
  const events = turn.relay.events()
  let index = 0
  let full = ''
  let timer: NodeJS.Timeout | undefined
  let lastWrite = performance.now()
  let done = false
  const stop = () => {
    done = true
    clearInterval(timer)
  }

  const out = new ReadableStream<Uint8Array>({
    start(controller) {
      const ping = s.config.server.ping_interval_ms
      timer = setInterval(() => {
        if (performance.now() - lastWrite < ping) return
        lastWrite = performance.now()
        controller.enqueue(encoder.encode(': ping\n\n'))
      }, Math.min(ping, 1000))
    },
    async pull(controller) {
      try {
        for (;;) {
          const next = await events.next()
          if (next.done) {
            stop()
            const { row } = completeTurn(s, turn)
            const data = { total_chunks: index, full_content: full, session_id: row.sessionId, conversation_id: row.conversationId }
            controller.enqueue(encoder.encode(line('complete', data)))
            controller.close()
            return
          }
          const e = next.value
          if (e.type !== 'text' || !e.text) continue
          full += e.text
          lastWrite = performance.now()
          controller.enqueue(encoder.encode(line('chunk', { content: e.text, chunk_index: index++ })))
          return
        }
      } catch (err) {
        stop()
        const api = abandonTurn(s, turn, err, true)
        try {
          if (api) controller.enqueue(encoder.encode(line('error', { message: api.message })))
          controller.close()
        } catch {
          // Already cancelled by the client.
        }
      }
    },
    async cancel() {
      if (done) return
      stop()
      await events.return(undefined)
      // The client went away: bill what it was sent, keep the history as it was.
      abandonTurn(s, turn, new DOMException('client disconnected', 'AbortError'), true)
    },
  })
  return new Response(out, {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Request-Id': c.get('requestId'),
      'X-Session-Id': turn.row.sessionId,
    },
  })
}
