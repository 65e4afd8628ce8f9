// One SSE responder for every streaming route. Under @hono/node-server it writes straight to the
// Node response (no web-stream layers, headers out at once) and learns of a client that left
// from the socket's close, so the upstream is aborted and the credential released; elsewhere it
// falls back to a web ReadableStream.
import type { ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { Context } from 'hono'
import { isAbortError } from '../kit/errors.js'

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
} as const

export interface SseHandlers<E> {
  /** Text for one event; '' writes nothing. */
  render(event: E): string
  /** Text after the last event of a stream that ended normally. */
  end(): string
  /** Text for a failure after streaming began (the error event); called once. */
  fail(err: unknown): string
  /** The client left before the end. Called once, after the upstream was stopped. */
  abandoned(): void
}

export interface SseOptions<E> {
  headers: Record<string, string>
  pingMs: number
  events: AsyncIterable<E>
  handlers: SseHandlers<E>
}

interface Sink {
  write(text: string): boolean
  end(): void
  readonly closed: boolean
  /** Resolves when the client can take more, or has gone. */
  drained(): Promise<void>
}

function nodeSink(outgoing: ServerResponse, headers: Record<string, string>): Sink {
  let closed = false
  outgoing.once('close', () => {
    closed = true
    outgoing.emit('drain') // wake a writer waiting for drain
  })
  outgoing.writeHead(200, headers)
  outgoing.flushHeaders()
  // One upstream chunk often carries many events: cork for the tick so they leave in one write.
  let corked = false
  const uncork = () => {
    corked = false
    outgoing.uncork()
  }
  return {
    write: (text) => {
      if (closed) return true
      if (!corked) {
        corked = true
        outgoing.cork()
        process.nextTick(uncork)
      }
      return outgoing.write(text)
    },
    end: () => {
      if (!closed) outgoing.end()
    },
    get closed() {
      return closed
    },
    drained: () => new Promise<void>((resolve) => outgoing.once('drain', resolve)),
  }
}

function webSink(): Sink & { readable: ReadableStream<Uint8Array> } {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
  const writer = writable.getWriter()
  const encoder = new TextEncoder()
  let closed = false
  writer.closed.catch(() => {
    closed = true
  })
  return {
    readable,
    write: (text) => {
      if (!closed) writer.write(encoder.encode(text)).catch(() => (closed = true))
      return true
    },
    end: () => {
      if (!closed) writer.close().catch(() => undefined)
    },
    get closed() {
      return closed
    },
    drained: () => Promise.resolve(),
  }
}

async function pump<E>(sink: Sink, opts: SseOptions<E>): Promise<void> {
  let lastWrite = performance.now()
  const timer = setInterval(() => {
    if (performance.now() - lastWrite < opts.pingMs) return
    lastWrite = performance.now()
    sink.write(': ping\n\n')
  }, Math.min(opts.pingMs, 1000))
  const { handlers } = opts
  try {
    for await (const event of opts.events) {
      if (sink.closed) break // leaving the loop returns the iterator, which stops the upstream
      const text = handlers.render(event)
      if (!text) continue
      lastWrite = performance.now()
      if (!sink.write(text)) await sink.drained()
    }
    if (sink.closed) handlers.abandoned()
    else sink.write(handlers.end())
  } catch (err) {
    if (sink.closed || isAbortError(err)) handlers.abandoned()
    else sink.write(handlers.fail(err))
  } finally {
    clearInterval(timer)
    sink.end()
  }
}

export function sseResponse<E>(c: Context, opts: SseOptions<E>): Response {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
  if (outgoing) {
    void pump(nodeSink(outgoing, opts.headers), opts)
    return RESPONSE_ALREADY_SENT
  }
  const sink = webSink()
  void pump(sink, opts)
  return new Response(sink.readable, { status: 200, headers: opts.headers })
}
