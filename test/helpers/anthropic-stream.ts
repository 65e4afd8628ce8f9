// Reads a Messages event stream as a strict client would: it enforces the grammar Anthropic's
// API follows (and Claude Code relies on) and folds the events into the message they describe.
import { SseDecoder, type SseEvent } from '../../src/kit/sse.js'

export interface FoldedStream {
  /** The message of message_start with its content, stop reason and usage filled in. */
  message: any
  /** Event names in order, pings included. */
  names: string[]
  /** The error event's body, when the stream ended with one. */
  error?: any
}

/** Parse SSE text (or chunks) into events. */
export function sseEvents(chunks: readonly (Uint8Array | string)[]): SseEvent[] {
  const decoder = new SseDecoder()
  const out: SseEvent[] = []
  for (const c of chunks) out.push(...decoder.push(c))
  out.push(...decoder.end())
  return out
}

const fail = (why: string, names: string[]): never => {
  throw new Error(`bad Messages stream after [${names.join(', ')}]: ${why}`)
}

/** Fold the events, throwing on anything out of order or malformed. */
export function foldMessagesStream(events: readonly SseEvent[]): FoldedStream {
  const names: string[] = []
  let message: any
  let open: any
  let stopped = false
  let ended = false
  for (const ev of events) {
    if (ended) fail(`${ev.event} after the end`, names)
    if (!ev.event) fail('an event without an event: line', names)
    const data = JSON.parse(ev.data)
    if (data.type !== ev.event) fail(`event ${ev.event} carries type ${data.type}`, names)
    names.push(ev.event!)
    switch (ev.event) {
      case 'ping':
        break
      case 'error':
        if (!data.error || typeof data.error.type !== 'string' || typeof data.error.message !== 'string') fail('malformed error', names)
        return { message, names, error: data }
      case 'message_start':
        if (message) fail('second message_start', names)
        message = data.message
        if (!/^msg_[A-Za-z0-9_-]+$/.test(message.id) || message.type !== 'message' || message.role !== 'assistant') fail('bad message', names)
        if (!Array.isArray(message.content) || message.content.length || typeof message.usage?.input_tokens !== 'number') fail('bad message', names)
        break
      case 'content_block_start': {
        if (!message || open || stopped) fail('block start out of order', names)
        if (data.index !== message.content.length) fail(`block index ${data.index}, expected ${message.content.length}`, names)
        const block = { ...data.content_block }
        if (block.type === 'tool_use') {
          if (!/^toolu_[A-Za-z0-9_-]+$/.test(block.id) || !block.name || JSON.stringify(block.input) !== '{}') fail('bad tool_use start', names)
          block.json = ''
        } else if (block.type === 'text') {
          if (block.text !== '') fail('text block starts with text', names)
        } else if (block.type !== 'thinking' || block.thinking !== '') fail(`unexpected block ${block.type}`, names)
        message.content.push(block)
        open = block
        break
      }
      case 'content_block_delta': {
        if (!open || data.index !== message.content.length - 1) fail('delta outside an open block', names)
        const d = data.delta
        if (d.type === 'text_delta' && open.type === 'text') open.text += d.text
        else if (d.type === 'thinking_delta' && open.type === 'thinking' && !open.signature) open.thinking += d.thinking
        else if (d.type === 'signature_delta' && open.type === 'thinking') open.signature = d.signature
        else if (d.type === 'input_json_delta' && open.type === 'tool_use') open.json += d.partial_json
        else fail(`${d.type} in a ${open.type} block`, names)
        break
      }
      case 'content_block_stop':
        if (!open || data.index !== message.content.length - 1) fail('stop without an open block', names)
        if (open.type === 'thinking' && !open.signature) fail('thinking block closed without a signature', names)
        if (open.type === 'tool_use') {
          open.input = open.json ? JSON.parse(open.json) : {}
          delete open.json
        }
        open = undefined
        break
      case 'message_delta':
        if (!message || open || stopped) fail('message_delta out of order', names)
        if (typeof data.usage?.output_tokens !== 'number') fail('message_delta without usage.output_tokens', names)
        message.stop_reason = data.delta.stop_reason
        message.stop_sequence = data.delta.stop_sequence
        message.usage = { ...message.usage, ...data.usage }
        stopped = true
        break
      case 'message_stop':
        if (!stopped) fail('message_stop before message_delta', names)
        ended = true
        break
      default:
        fail(`unknown event ${ev.event}`, names)
    }
  }
  if (!ended) fail('no message_stop', names)
  return { message, names }
}
