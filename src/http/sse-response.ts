// One SSE responder for every streaming route. Under @hono/node-server it writes straight to the
// Node response (no web-stream layers, headers out at once) and learns of a client that left
// from the socket's close, so the upstream is aborted and the credential released; elsewhere it
// falls back to a web ReadableStream.
import type { ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { Context } from 'hono'

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
} as const

export interface SseHandlers<E> {
  /** Text for one event; '' writes nothing. */
  render(event: E): string
  /** Text after the last event of a stream that ended normally (awaited: it may store the answer first). */
  end(): string | Promise<string>
  /** Text for a failure after streaming began (the error event); called once. */
  fail(err: unknown): string
  /** The client left before the end. Called once, after the upstream was stopped. */
  abandoned?(): void
}

export interface SseOptions<E> {
  headers: Record<string, string>
  pingMs: number
  /** What an idle stream sends every pingMs; an SSE comment unless the protocol has its own ping event. */
  ping?: string
  events: AsyncIterable<E>
  handlers: SseHandlers<E>
}

interface Sink {
  write(text: string): boolean
  /** Write the last text (if any) and finish the response. */
  end(text: string): void
  readonly closed: boolean
  /** Resolves when the client can take more, or has gone. */
  drained(): Promise<void>
}

/**
 * Writes to the Node response, coalesced: text collects until the event loop turns
 * (setImmediate), then leaves as one chunk. An upstream read carries many events and a socket
 * write costs far more than string concatenation; the head goes out with the first chunk, and a
 * stream that arrives whole leaves in a single write, terminator included.
 */
function nodeSink(outgoing: ServerResponse, headers: Record<string, string>): Sink {
  let closed = false
  let pending = ''
  let scheduled = false
  outgoing.once('close', () => {
    closed = true
    outgoing.emit('drain') // wake a writer waiting for drain
  })
  outgoing.writeHead(200, headers)
  const flush = () => {
    scheduled = false
    if (closed || outgoing.writableEnded) return
    // Nothing to say yet on the first turn: send the head alone so the client sees the stream open.
    if (!pending) return void (outgoing.headersSent || outgoing.flushHeaders())
    const text = pending
    pending = ''
    outgoing.write(text)
  }
  setImmediate(flush)
  scheduled = true
  return {
    write: (text) => {
      if (closed) return true
      pending += text
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
      return !outgoing.writableNeedDrain
    },
    end: (text) => {
      if (closed) return
      const rest = pending + text
      pending = ''
      outgoing.end(rest)
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
    end: (text) => {
      if (closed) return
      if (text) writer.write(encoder.encode(text)).catch(() => (closed = true))
      writer.close().catch(() => undefined)
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
    sink.write(opts.ping ?? ': ping\n\n')
  }, Math.min(opts.pingMs, 1000))
  const { handlers } = opts
  let tail = ''
  try {
    for await (const event of opts.events) {
      if (sink.closed) break // leaving the loop returns the iterator, which stops the upstream
      const text = handlers.render(event)
      if (!text) continue
      lastWrite = performance.now()
      if (!sink.write(text)) await sink.drained()
    }
    if (sink.closed) handlers.abandoned?.()
    else tail = await handlers.end()
  } catch (err) {
    // A client that left closed the sink first; an abort with the client still there is the
    // relay stopping the answer (shutdown), which the client is told about.
    if (sink.closed) handlers.abandoned?.()
    else tail = handlers.fail(err)
  } finally {
    clearInterval(timer)
    sink.end(tail)
  }
}

/** Stop the events unread (the answer could not start): the upstream call and its bill end too. */
function discard<E>(opts: SseOptions<E>): void {
  const iterator = opts.events[Symbol.asyncIterator]()
  void iterator.return?.()?.catch(() => undefined)
}

/** Stream straight to a Node response (the fast lane, and hono under @hono/node-server). */
export function streamToNode<E>(outgoing: ServerResponse, opts: SseOptions<E>): void {
  let sink: Sink
  try {
    sink = nodeSink(outgoing, opts.headers)
  } catch (err) {
    discard(opts)
    throw err
  }
  void pump(sink, opts)
}

/** The options with the request's base headers (request id, CORS) ahead of the stream's own. */
export function withBaseHeaders<E>(opts: SseOptions<E>, base: Record<string, string>): SseOptions<E> {
  return { ...opts, headers: { ...base, ...opts.headers } }
}

/** The stream as hono's answer; the request's base headers (request id, CORS) included. */
export function sseResponse<E>(c: Context, opts: SseOptions<E>): Response {
  const withBase = withBaseHeaders(opts, (c.get('baseHeaders') as Record<string, string> | undefined) ?? {})
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
  if (outgoing) {
    streamToNode(outgoing, withBase)
    return RESPONSE_ALREADY_SENT
  }
  const sink = webSink()
  let response: Response
  try {
    response = new Response(sink.readable, { status: 200, headers: withBase.headers })
  } catch (err) {
    discard(withBase)
    throw err
  }
  void pump(sink, withBase)
  return response
}
