// An emulated request's answer stream → the same stream with the convention's blocks turned into
// tool_call events. Reasoning and every other event pass through untouched; only text is
// scanned. Hand-written rather than an async generator: it runs once per event of the stream.
import type { DeltaEvent, FinishReason } from '../../kit/types.js'
import { randomId } from '../ids.js'
import { type ScanPiece, ToolCallScanner, type ScannerOptions } from './scanner.js'

export type ExtractOptions = ScannerOptions

/**
 * Calls get ids `call_<random>` and indices 0..n in order. Once a call went out, the finish
 * reason `stop` (or `length`) becomes `tool_calls`, and a stream that ends without a finish gets
 * one. Closing the returned iterator closes the source (the upstream call is aborted).
 */
export function extractToolCalls(
  events: AsyncIterable<DeltaEvent>,
  options: ExtractOptions,
): AsyncIterableIterator<DeltaEvent> & { return(): Promise<IteratorResult<DeltaEvent>> } {
  const source = events[Symbol.asyncIterator]()
  const scanner = new ToolCallScanner(options)
  const queue: DeltaEvent[] = []
  let calls = 0
  /** A finish went out after the newest call. */
  let finished = false
  let ended = false

  const add = (pieces: ScanPiece[]) => {
    for (const piece of pieces) {
      if (piece.type === 'text') {
        queue.push({ type: 'text', text: piece.text })
        continue
      }
      queue.push({ type: 'tool_call', index: calls++, id: randomId('call_'), name: piece.call.name, args: piece.call.arguments })
      finished = false
    }
  }
  const finishReason = (reason: FinishReason): FinishReason =>
    calls > 0 && (reason === 'stop' || reason === 'length') ? 'tool_calls' : reason

  const iterator = {
    next: async (): Promise<IteratorResult<DeltaEvent>> => {
      while (queue.length === 0) {
        if (ended) return { done: true, value: undefined }
        const next = await source.next()
        if (next.done) {
          ended = true
          add(scanner.end())
          if (calls > 0 && !finished) queue.push({ type: 'finish', reason: 'tool_calls' })
          continue
        }
        const event = next.value
        if (event.type === 'text') add(scanner.push(event.text))
        else if (event.type === 'finish') {
          add(scanner.end())
          queue.push({ type: 'finish', reason: finishReason(event.reason) })
          finished = true
        } else queue.push(event)
      }
      return { done: false, value: queue.shift()! }
    },
    return: async (): Promise<IteratorResult<DeltaEvent>> => {
      ended = true
      queue.length = 0
      await source.return?.()
      return { done: true, value: undefined }
    },
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  return iterator
}
