// Bytes → text (UTF-8 safe across chunk boundaries) → server-sent events, via eventsource-parser.
import { type EventSourceMessage, createParser } from 'eventsource-parser'

export interface SseEvent {
  event?: string
  data: string
  id?: string
}

export async function* readSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8')
  let pending: SseEvent[] = []
  const parser = createParser({
    onEvent: (m: EventSourceMessage) => {
      pending.push(m.event ? { event: m.event, data: m.data, id: m.id } : { data: m.data, id: m.id })
    },
  })
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    if (pending.length) {
      const out = pending
      pending = []
      yield* out
    }
  }
  const tail = decoder.decode()
  // A stream that ends without the final blank line still delivers its last event.
  parser.feed(`${tail}\n\n`)
  yield* pending
}
