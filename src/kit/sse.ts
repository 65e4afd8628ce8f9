// Bytes → text (UTF-8 safe across chunk boundaries) → server-sent events, via eventsource-parser.
import { type EventSourceMessage, createParser } from 'eventsource-parser'

export interface SseEvent {
  event?: string
  data: string
  id?: string
}

/**
 * Synchronous decoder: push chunks, get the events they completed. Hot paths use it directly to
 * skip an async-generator hop per event; readSse wraps it for everyone else.
 */
export class SseDecoder {
  private readonly decoder = new TextDecoder('utf-8')
  private pending: SseEvent[] = []
  private readonly parser = createParser({
    onEvent: (m: EventSourceMessage) => {
      this.pending.push(m.event ? { event: m.event, data: m.data, id: m.id } : { data: m.data, id: m.id })
    },
  })

  push(chunk: Uint8Array | string): SseEvent[] {
    this.parser.feed(typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }))
    return this.take()
  }

  /** A stream that ends without the final blank line still delivers its last event. */
  end(): SseEvent[] {
    this.parser.feed(`${this.decoder.decode()}\n\n`)
    return this.take()
  }

  private take(): SseEvent[] {
    const out = this.pending
    if (out.length) this.pending = []
    return out
  }
}

export async function* readSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const sse = new SseDecoder()
  for await (const chunk of body) yield* sse.push(chunk)
  yield* sse.end()
}
