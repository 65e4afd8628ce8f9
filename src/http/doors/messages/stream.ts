// DeltaEvents → the Messages event stream: message_start, then one content block at a time
// (text, thinking, tool_use: a new block whenever the kind or the tool call changes), then
// message_delta and message_stop. Every event is named on its `event:` line, which is how the SDK
// and Claude Code dispatch them; indices count blocks in order, as their snapshots index them.
import type { ReasoningMode } from '../../../core/router.js'
import type { Usage } from '../../../core/tally.js'
import type { DeltaEvent, FinishReason } from '../../../kit/types.js'
import { SYNTHETIC_SIGNATURE, stopReasonOf, usageJson } from './reply.js'
import { toolUseIdOf } from './tool-ids.js'

export interface StreamMeta {
  id: string
  model: string
  reasoning: ReasoningMode
}

type BlockKind = 'text' | 'thinking' | 'tool'

const event = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`

/** Anthropic's keep-alive: sent after message_start and whenever the stream is idle. */
export const PING_EVENT = event('ping', { type: 'ping' })

/** The error event for a failure after the stream began (Anthropic's error object). */
export const errorEvent = (error: { type: string; message: string }) => event('error', { type: 'error', error })

export class MessageStreamWriter {
  private block = -1
  private open: BlockKind | undefined
  /** Block index of each tool call index. */
  private readonly toolBlocks = new Map<number, number>()
  private finish: FinishReason | undefined
  started = false

  constructor(private readonly meta: StreamMeta) {}

  /** message_start (and a ping, as Anthropic sends one); input tokens as far as they are known. */
  start(inputTokens: number): string {
    this.started = true
    const { id, model } = this.meta
    const usage = { input_tokens: inputTokens, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
    const message = { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage }
    return event('message_start', { type: 'message_start', message }) + PING_EVENT
  }

  write(e: DeltaEvent): string {
    switch (e.type) {
      case 'text':
        return e.text ? this.openBlock('text') + this.delta(this.block, { type: 'text_delta', text: e.text }) : ''
      case 'reasoning':
        if (!e.text || this.meta.reasoning === 'hide') return ''
        return this.openBlock('thinking') + this.delta(this.block, { type: 'thinking_delta', thinking: e.text })
      case 'tool_call':
        return this.toolCall(e)
      case 'finish':
        this.finish = e.reason
        return ''
      default:
        return '' // usage comes with message_delta; conversation ids and citations have no place here
    }
  }

  /** Close the last block, then message_delta (stop reason, final usage) and message_stop. */
  end(usage: Usage): string {
    const stop_reason = stopReasonOf(this.finish, this.toolBlocks.size > 0)
    const delta = { type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage: usageJson(usage) }
    return this.closeBlock() + event('message_delta', delta) + event('message_stop', { type: 'message_stop' })
  }

  private delta(index: number, delta: Record<string, unknown>): string {
    return event('content_block_delta', { type: 'content_block_delta', index, delta })
  }

  private openBlock(kind: 'text' | 'thinking'): string {
    if (this.open === kind) return ''
    const close = this.closeBlock()
    this.open = kind
    this.block++
    const content_block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' }
    return close + event('content_block_start', { type: 'content_block_start', index: this.block, content_block })
  }

  private closeBlock(): string {
    if (!this.open) return ''
    // Clients keep thinking only with a signature; it is sent just before the block closes.
    const signature = this.open === 'thinking' ? this.delta(this.block, { type: 'signature_delta', signature: SYNTHETIC_SIGNATURE }) : ''
    this.open = undefined
    return signature + event('content_block_stop', { type: 'content_block_stop', index: this.block })
  }

  private toolCall(e: Extract<DeltaEvent, { type: 'tool_call' }>): string {
    let out = ''
    let index = this.toolBlocks.get(e.index)
    if (index === undefined) {
      out = this.closeBlock()
      this.open = 'tool'
      index = ++this.block
      this.toolBlocks.set(e.index, index)
      const content_block = { type: 'tool_use', id: toolUseIdOf(e.id), name: e.name ?? '', input: {} }
      out += event('content_block_start', { type: 'content_block_start', index, content_block })
    }
    // Arguments of a call whose block already closed (upstreams that interleave calls) still go to
    // that block: the SDK appends deltas by index.
    if (e.args) out += this.delta(index, { type: 'input_json_delta', partial_json: e.args })
    return out
  }
}
