// Pure translation of Doubao streams into DeltaEvents: the named-event stream of /chat/completion
// (doubao.com and Dola) and the legacy numeric event_type stream of /samantha/chat/completion.
import { type CumulativeText, channelOf } from '../../src/kit/cumulative.js'
import { type Json, asObject, tryJson } from '../../src/kit/json.js'
import { upstreamUnavailable } from '../../src/kit/errors.js'
import { type SseEvent, readSse } from '../../src/kit/sse.js'
import { findCitations } from '../../src/kit/find-citations.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { BLOCK, LEGACY_ERROR_EVENT, LEGACY_EVENT, LEGACY_TEXT_TYPES, PROVIDER_ID } from './constants.js'
import { classifyError, isContentFilter } from './errors.js'

const provider = PROVIDER_ID

type Channel = 'text' | 'reasoning'

export interface CompletionParserOptions {
  /**
   * Dola asks for `support_chunk_delta` and its STREAM_CHUNK blocks then carry only the new text;
   * doubao.com's STREAM_CHUNK blocks repeat the block so far. One setting per site, because a
   * delta that happens to equal the start of the block would otherwise be taken for a repeat.
   */
  chunkDeltas?: boolean
}

/**
 * The named-event protocol of both sites: SSE_ACK, STREAM_MSG_NOTIFY, CHUNK_DELTA, STREAM_CHUNK,
 * FULL_MSG_NOTIFY, DOWNLINK_CMD, SSE_HEARTBEAT, SSE_REPLY_END, STREAM_ERROR.
 */
export class CompletionStreamParser {
  done = false
  private readonly chunkDeltas: boolean
  private channel: Channel = 'text'
  private currentBlock: string | undefined
  private readonly thinkingBlocks = new Set<string>()
  /** Text already emitted per block, so repeated or cumulative block snapshots are not doubled. */
  private readonly emitted = new Map<string, CumulativeText>()
  private readonly cited = new Set<string>()
  private conversationSent = false
  private produced = false

  constructor(options: CompletionParserOptions = {}) {
    this.chunkDeltas = options.chunkDeltas ?? false
  }

  push(ev: SseEvent): DeltaEvent[] {
    if (this.done) return []
    const data = asObject(tryJson(ev.data)) ?? {}
    switch (ev.event) {
      case 'SSE_ACK':
        return this.ack(asObject(data.ack_client_meta) ?? {})
      case 'STREAM_MSG_NOTIFY':
      case 'FULL_MSG_NOTIFY':
        // Both carry whole blocks (FULL_MSG_NOTIFY the finished message): snapshots, never doubled.
        return [...this.ack(messageMeta(data)), ...this.blocks(contentBlocksOf(data), false)]
      case 'CHUNK_DELTA':
        return this.delta(typeof data.text === 'string' ? data.text : '')
      case 'STREAM_CHUNK':
        return this.patch(data.patch_op)
      case 'SSE_REPLY_END':
        this.done = true
        return [{ type: 'finish', reason: 'stop' }]
      case 'STREAM_ERROR':
        return this.streamError(data)
      case 'DOWNLINK_CMD':
        return [] // client-side commands (titles, UI refreshes): nothing for the answer
      case 'gateway-error':
        throw classifyError(data.code, String(data.message ?? data.msg ?? 'gateway error'))
      case undefined:
        if (data.code !== undefined && data.code !== 0) throw classifyError(data.code, String(data.msg ?? data.message ?? ''))
        return []
      default:
        return [] // SSE_HEARTBEAT and event kinds we do not know yet
    }
  }

  /** The stream closed: fine after an answer, an error when nothing came. */
  end(): DeltaEvent[] {
    if (this.done) return []
    this.done = true
    if (!this.produced) throw upstreamUnavailable(`${provider}: the stream ended before any answer`, { provider })
    return [{ type: 'finish', reason: 'stop' }]
  }

  private ack(meta: Json): DeltaEvent[] {
    const id = meta.conversation_id
    if (this.conversationSent || (typeof id !== 'string' && typeof id !== 'number') || String(id) === '0') return []
    this.conversationSent = true
    const section = meta.section_id
    return [{ type: 'conversation', id: String(id), ...(section ? { parentId: String(section) } : {}) }]
  }

  private streamError(data: Json): DeltaEvent[] {
    const message = String(data.error_msg ?? data.message ?? '')
    if (isContentFilter(message)) {
      this.done = true
      return [{ type: 'finish', reason: 'content_filter' }]
    }
    throw classifyError(data.error_code ?? data.code, message, undefined, data.error_detail)
  }

  /** A plain delta (of the current block, when known). */
  private emit(channel: Channel, text: string, blockId?: string): DeltaEvent[] {
    if (blockId) channelOf(this.emitted, blockId).append(text)
    return this.say(channel, text)
  }

  private say(channel: Channel, text: string): DeltaEvent[] {
    if (!text) return []
    this.produced = true
    return [{ type: channel, text }]
  }

  private delta(text: string): DeltaEvent[] {
    return this.emit(this.channel, text, this.currentBlock)
  }

  private patch(ops: unknown): DeltaEvent[] {
    const out: DeltaEvent[] = []
    for (const op of Array.isArray(ops) ? ops : []) {
      const value = asObject(asObject(op)?.patch_value)
      if (!value) continue
      if (Array.isArray(value.content_block)) out.push(...this.blocks(value.content_block, this.chunkDeltas))
      const content = asObject(tryJson(value.content))
      if (content && typeof content.text === 'string') out.push(...this.delta(content.text))
    }
    return out
  }

  private blocks(list: unknown, deltas: boolean): DeltaEvent[] {
    const out: DeltaEvent[] = []
    for (const raw of Array.isArray(list) ? list : []) {
      const block = asObject(raw)
      if (block) out.push(...this.block(block, deltas))
    }
    return out
  }

  private block(block: Json, deltas: boolean): DeltaEvent[] {
    const type = Number(block.block_type)
    const id = block.block_id === undefined ? undefined : String(block.block_id)
    const content = asObject(block.content)
    if (type === BLOCK.searchResult) return this.citations(block.content)
    const thinking = asObject(content?.thinking_block)
    if (thinking) {
      // Dola names the thinking text itself: whatever the block type, it is reasoning.
      if (id) this.currentBlock = id
      this.channel = 'reasoning'
      return this.blockText('reasoning', thinking.text, id, deltas)
    }
    if (type === BLOCK.thinking) {
      // The first thinking block opens the reasoning; a finished or a second one closes it.
      const known = id !== undefined && this.thinkingBlocks.has(id)
      if (block.is_finish === true || (!known && this.thinkingBlocks.size > 0 && this.channel === 'reasoning'))
        this.channel = 'text'
      else this.channel = 'reasoning'
      if (id) this.thinkingBlocks.add(id)
    } else if (type === BLOCK.text) {
      const parent = block.parent_id === undefined ? '' : String(block.parent_id)
      this.channel = parent && this.thinkingBlocks.has(parent) ? 'reasoning' : 'text'
    } else return []
    const channel: Channel = type === BLOCK.thinking ? 'reasoning' : this.channel
    if (id) this.currentBlock = id
    return this.blockText(channel, asObject(content?.text_block)?.text, id, deltas)
  }

  private blockText(channel: Channel, text: unknown, id: string | undefined, deltas: boolean): DeltaEvent[] {
    if (typeof text !== 'string' || !text) return []
    if (deltas || !id) return this.emit(channel, text, id)
    // A block snapshot repeats the block's text so far: only what is new goes out.
    return this.say(channel, channelOf(this.emitted, id).next(text))
  }

  private citations(content: unknown): DeltaEvent[] {
    const fresh = findCitations(content, this.cited)
    return fresh.length ? [{ type: 'citations', items: fresh }] : []
  }
}

/** Blocks of a STREAM_MSG_NOTIFY / FULL_MSG_NOTIFY, under `content` or `message.content`. */
function contentBlocksOf(data: Json): unknown {
  const content = asObject(data.content) ?? asObject(asObject(data.message)?.content) ?? asObject(data.message)
  return content?.content_block
}

/**
 * Where Dola's message notifications name the conversation (it may send no SSE_ACK): `meta`,
 * `message` or the top level. [unverified: the notes give the events, not this field's place]
 */
function messageMeta(data: Json): Json {
  for (const holder of [asObject(data.meta), asObject(data.message), data]) {
    const id = holder?.conversation_id
    if (typeof id === 'string' || typeof id === 'number')
      return { conversation_id: id, ...(holder?.section_id ? { section_id: holder.section_id } : {}) }
  }
  return {}
}

/** The legacy samantha stream: `data: {event_type, event_data: "<json>"}` lines. */
export class SamanthaStreamParser {
  done = false
  private produced = false
  private conversationSent = false

  push(ev: SseEvent): DeltaEvent[] {
    if (this.done) return []
    const frame = asObject(tryJson(ev.data))
    if (!frame) return []
    if (frame.code !== undefined && frame.code !== 0)
      throw classifyError(frame.code, String(frame.message ?? frame.msg ?? ''), undefined, frame.error_detail)
    const data = asObject(tryJson(frame.event_data)) ?? {}
    switch (Number(frame.event_type)) {
      case LEGACY_EVENT.ack:
        return this.ack(data)
      case LEGACY_EVENT.message:
        return this.message(data)
      case LEGACY_EVENT.creations:
        return this.images(data)
      case LEGACY_ERROR_EVENT:
        throw classifyError(data.code, String(data.message ?? data.msg ?? ''), undefined, data.error_detail)
      case LEGACY_EVENT.end:
        this.done = true
        return [{ type: 'finish', reason: 'stop' }]
      default:
        return [] // 2010 intention, 2018, 2030 and other kinds we do not use
    }
  }

  end(): DeltaEvent[] {
    if (this.done) return []
    this.done = true
    if (!this.produced) throw upstreamUnavailable(`${provider}: the stream ended before any answer`, { provider })
    return [{ type: 'finish', reason: 'stop' }]
  }

  private ack(data: Json): DeltaEvent[] {
    const id = data.conversation_id
    if (this.conversationSent || id === undefined || String(id) === '0') return []
    this.conversationSent = true
    return [{ type: 'conversation', id: String(id), ...(data.section_id ? { parentId: String(data.section_id) } : {}) }]
  }

  private message(data: Json): DeltaEvent[] {
    const out: DeltaEvent[] = []
    const message = asObject(data.message) ?? {}
    if (LEGACY_TEXT_TYPES.has(Number(message.content_type))) {
      const content = asObject(tryJson(message.content)) ?? {}
      const text = content.text ?? asObject(content.delta)?.text ?? content.content
      if (typeof text === 'string' && text) {
        this.produced = true
        out.push({ type: 'text', text })
      }
      if (data.is_finish === true) {
        this.done = true
        out.push({ type: 'finish', reason: 'stop' })
      }
    }
    return out
  }

  private images(data: Json): DeltaEvent[] {
    const urls: string[] = []
    for (const c of Array.isArray(data.creations) ? data.creations : []) {
      const image = asObject(asObject(c)?.image)
      const url = asObject(image?.image_ori)?.url ?? asObject(image?.image_thumb)?.url
      if (typeof url === 'string') urls.push(url)
    }
    if (!urls.length) return []
    this.produced = true
    return [{ type: 'text', text: urls.map((u) => `![image](${u})\n`).join('') }]
  }
}

/** Bytes of either stream generation → DeltaEvents, ending after the end event. */
export async function* parseDoubaoStream(
  body: AsyncIterable<Uint8Array | string>,
  parser: CompletionStreamParser | SamanthaStreamParser,
): AsyncGenerator<DeltaEvent> {
  for await (const ev of readSse(body)) {
    yield* parser.push(ev)
    if (parser.done) return
  }
  yield* parser.end()
}
