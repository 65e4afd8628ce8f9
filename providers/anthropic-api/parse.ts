// Pure translation of Anthropic Messages API payloads (stream events and whole messages) into
// DeltaEvents. Tool calls are numbered by their own order, not by content block index, because
// text and thinking blocks share the block numbering.
import { protocolError, upstreamUnavailable } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { SseDecoder } from '../../src/kit/sse.js'
import type { DeltaEvent, FinishReason } from '../../src/kit/types.js'
import { anthropicError } from './errors.js'

interface WireUsage {
  input_tokens?: number | null
  output_tokens?: number | null
  cache_read_input_tokens?: number | null
  cache_creation_input_tokens?: number | null
}

const stopReasons: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
}

export function finishReasonOf(stopReason: unknown): FinishReason | undefined {
  if (typeof stopReason !== 'string' || !stopReason) return undefined
  return stopReasons[stopReason] ?? 'stop'
}

/** Cache reads and writes are prompt tokens too: Anthropic counts them apart from input_tokens. */
function promptTokensOf(u: WireUsage): number {
  return (u.input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0)
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined)

interface BlockState {
  kind: 'text' | 'thinking' | 'tool' | 'other'
  toolIndex: number
  /** Input a tool_use block carried in its start event (Anthropic sends {} and streams the rest). */
  startInput: Record<string, unknown> | undefined
  argsSeen: boolean
}

/** Stateful reader of one streamed message: feed each SSE `data` payload in order. */
export class MessageStreamParser {
  private promptTokens = 0
  private completionTokens = 0
  private nextTool = 0
  private readonly blocks = new Map<number, BlockState>()
  private completed = false

  constructor(private readonly provider: string) {}

  push(data: string): DeltaEvent[] {
    if (!data) return []
    const ev = asObject(tryJson(data))
    if (!ev) throw protocolError(`${this.provider} sent a malformed stream event`, { provider: this.provider })
    switch (ev.type) {
      case 'content_block_delta':
        return this.delta(ev)
      case 'message_start':
        return this.start(asObject(asObject(ev.message)?.usage))
      case 'content_block_start':
        return this.blockStart(num(ev.index) ?? 0, asObject(ev.content_block) ?? {})
      case 'content_block_stop':
        return this.blockStop(num(ev.index) ?? 0)
      case 'message_delta':
        return this.messageDelta(ev)
      case 'message_stop':
        this.completed = true
        return []
      case 'error':
        throw anthropicError({ provider: this.provider, error: ev.error })
      default:
        return [] // ping, and event types added later
    }
  }

  /** The stream is over: one that never said why it stopped was cut short. */
  end(): void {
    if (!this.completed) throw upstreamUnavailable(`${this.provider} ended the stream before message_stop`, { provider: this.provider })
  }

  private start(usage: WireUsage | undefined): DeltaEvent[] {
    if (usage) {
      this.promptTokens = promptTokensOf(usage)
      this.completionTokens = usage.output_tokens ?? 0
    }
    return []
  }

  private blockStart(index: number, block: Record<string, unknown>): DeltaEvent[] {
    if (block.type === 'tool_use') {
      const state: BlockState = { kind: 'tool', toolIndex: this.nextTool++, startInput: asObject(block.input), argsSeen: false }
      this.blocks.set(index, state)
      return [{ type: 'tool_call', index: state.toolIndex, id: String(block.id ?? ''), name: String(block.name ?? ''), args: '' }]
    }
    const kind = block.type === 'text' ? 'text' : block.type === 'thinking' ? 'thinking' : 'other'
    this.blocks.set(index, { kind, toolIndex: -1, startInput: undefined, argsSeen: false })
    if (kind === 'text' && typeof block.text === 'string' && block.text) return [{ type: 'text', text: block.text }]
    if (kind === 'thinking' && typeof block.thinking === 'string' && block.thinking) return [{ type: 'reasoning', text: block.thinking }]
    return []
  }

  private delta(ev: Record<string, unknown>): DeltaEvent[] {
    const d = asObject(ev.delta)
    if (!d) return []
    if (d.type === 'text_delta') return typeof d.text === 'string' && d.text ? [{ type: 'text', text: d.text }] : []
    if (d.type === 'thinking_delta') return typeof d.thinking === 'string' && d.thinking ? [{ type: 'reasoning', text: d.thinking }] : []
    if (d.type !== 'input_json_delta') return [] // signature_delta, citations_delta
    const block = this.blocks.get(num(ev.index) ?? 0)
    if (block?.kind !== 'tool' || typeof d.partial_json !== 'string' || !d.partial_json) return []
    block.argsSeen = true
    return [{ type: 'tool_call', index: block.toolIndex, args: d.partial_json }]
  }

  private blockStop(index: number): DeltaEvent[] {
    const block = this.blocks.get(index)
    if (block?.kind !== 'tool' || block.argsSeen) return []
    // A tool without arguments streams no input_json_delta; OpenAI clients expect JSON all the same.
    return [{ type: 'tool_call', index: block.toolIndex, args: JSON.stringify(block.startInput ?? {}) }]
  }

  private messageDelta(ev: Record<string, unknown>): DeltaEvent[] {
    const events: DeltaEvent[] = []
    const reason = finishReasonOf(asObject(ev.delta)?.stop_reason)
    if (reason) {
      events.push({ type: 'finish', reason })
      this.completed = true // message_stop adds nothing; some compatible endpoints leave it out
    }
    const usage = asObject(ev.usage) as WireUsage | undefined
    if (usage) {
      // Newer API versions repeat the (final) input counts here; they win over message_start's.
      if (usage.input_tokens != null) this.promptTokens = promptTokensOf(usage)
      if (usage.output_tokens != null) this.completionTokens = usage.output_tokens
    }
    events.push({ type: 'usage', promptTokens: this.promptTokens, completionTokens: this.completionTokens })
    return events
  }
}

/** A streamed response body (bytes, split anywhere) → DeltaEvents. */
export async function* readMessageStream(body: AsyncIterable<Uint8Array>, provider: string): AsyncGenerator<DeltaEvent> {
  const sse = new SseDecoder()
  const parser = new MessageStreamParser(provider)
  for await (const chunk of body) {
    for (const ev of sse.push(chunk)) for (const event of parser.push(ev.data)) yield event
  }
  for (const ev of sse.end()) for (const event of parser.push(ev.data)) yield event
  parser.end()
}

/** A whole (non-streaming) message object. */
export function parseMessage(body: unknown, provider: string): DeltaEvent[] {
  const msg = asObject(body)
  if (msg?.type === 'error') throw anthropicError({ provider, error: msg.error })
  if (!msg || !Array.isArray(msg.content)) throw protocolError(`${provider} returned a message without content`, { provider })
  const events: DeltaEvent[] = []
  let tools = 0
  for (const raw of msg.content) {
    const block = asObject(raw)
    if (block?.type === 'text' && typeof block.text === 'string' && block.text) events.push({ type: 'text', text: block.text })
    else if (block?.type === 'thinking' && typeof block.thinking === 'string' && block.thinking)
      events.push({ type: 'reasoning', text: block.thinking })
    else if (block?.type === 'tool_use')
      events.push({
        type: 'tool_call',
        index: tools++,
        id: String(block.id ?? ''),
        name: String(block.name ?? ''),
        args: JSON.stringify(block.input ?? {}),
      })
  }
  const usage = asObject(msg.usage) as WireUsage | undefined
  if (usage) events.push({ type: 'usage', promptTokens: promptTokensOf(usage), completionTokens: usage.output_tokens ?? 0 })
  events.push({ type: 'finish', reason: finishReasonOf(msg.stop_reason) ?? 'stop' })
  return events
}
