// Pure translation of Doubao streams into DeltaEvents: the newer named-event stream of
// /chat/completion and the legacy numeric event_type stream of /samantha/chat/completion.
import { type CumulativeText, channelOf } from '../../src/kit/cumulative.js'
import { type Json, asObject, tryJson } from '../../src/kit/json.js'
import { type UpstreamError, credentialInvalid, protocolError, quotaExhausted, rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import { type SseEvent, readSse } from '../../src/kit/sse.js'
import { findCitations } from '../../src/kit/find-citations.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { BLOCK, LEGACY_EVENT, LEGACY_TEXT_TYPES, PROVIDER_ID, RATE_LIMIT_CODE } from './constants.js'

const provider = PROVIDER_ID

const CONTENT_FILTER = /敏感|违规|不合规|违反|sensitive|content.?(filter|policy|security)/i
const RATE_LIMIT = /频繁|限流|too (many|fast)|rate.?limit|稍后再试/i
const LOGGED_OUT = /登录|login|session.?(expired|invalid)|sessionid|过期|unauthori[sz]ed|invalid.?token/i
const OUT_OF_QUOTA = /额度|quota|credit|次数已用完|用完/i

/** Error code + message from any Doubao envelope, as a failure class. */
export function classifyError(code: unknown, message: string, status?: number): UpstreamError {
  const text = `${provider}: ${message || 'upstream error'}${code !== undefined ? ` (code ${String(code)})` : ''}`
  const o = { provider, upstreamStatus: status }
  if (Number(code) === RATE_LIMIT_CODE || status === 429 || RATE_LIMIT.test(message)) return rateLimited(text, o)
  if (status === 401 || status === 403 || LOGGED_OUT.test(message)) return credentialInvalid(text, o)
  if (OUT_OF_QUOTA.test(message)) return quotaExhausted(text, o)
  if (Number(code) === -2001) return upstreamUnavailable(`${text}; the account may be banned`, o)
  return upstreamUnavailable(text, o)
}

export const isContentFilter = (message: string) => CONTENT_FILTER.test(message)

/** A reply that is not an event stream: a JSON envelope, or an HTML challenge page. */
export function errorFromReply(status: number, body: string): UpstreamError {
  const trimmed = body.trim()
  if (trimmed.startsWith('<'))
    return protocolError(`${provider}: got an HTML page (HTTP ${status}, likely a verification challenge) instead of an event stream`, {
      provider,
      upstreamStatus: status,
    })
  const env = asObject(tryJson(trimmed))
  if (!env) return protocolError(`${provider}: unexpected reply (HTTP ${status}) instead of an event stream`, { provider, upstreamStatus: status })
  const message = String(env.msg ?? env.message ?? env.error_msg ?? '')
  if (status < 400 && (env.code === 0 || env.code === undefined) && !message)
    return protocolError(`${provider}: JSON envelope instead of an event stream`, { provider, upstreamStatus: status })
  return classifyError(env.code ?? env.error_code, message, status >= 400 ? status : undefined)
}

type Channel = 'text' | 'reasoning'

/** The newer protocol: SSE_ACK, STREAM_MSG_NOTIFY, CHUNK_DELTA, STREAM_CHUNK, SSE_REPLY_END... */
export class CompletionStreamParser {
  done = false
  private channel: Channel = 'text'
  private currentBlock: string | undefined
  private readonly thinkingBlocks = new Set<string>()
  /** Text already emitted per block, so repeated or cumulative block snapshots are not doubled. */
  private readonly emitted = new Map<string, CumulativeText>()
  private readonly cited = new Set<string>()
  private conversationSent = false
  private produced = false

  push(ev: SseEvent): DeltaEvent[] {
    if (this.done) return []
    const data = asObject(tryJson(ev.data)) ?? {}
    switch (ev.event) {
      case 'SSE_ACK':
        return this.ack(asObject(data.ack_client_meta) ?? {})
      case 'STREAM_MSG_NOTIFY':
        return this.blocks(asObject(data.content)?.content_block)
      case 'CHUNK_DELTA':
        return this.delta(typeof data.text === 'string' ? data.text : '')
      case 'STREAM_CHUNK':
        return this.patch(data.patch_op)
      case 'SSE_REPLY_END':
        this.done = true
        return [{ type: 'finish', reason: 'stop' }]
      case 'STREAM_ERROR':
        return this.streamError(data)
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
    throw classifyError(data.error_code ?? data.code, message)
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
      if (Array.isArray(value.content_block)) out.push(...this.blocks(value.content_block))
      const content = asObject(tryJson(value.content))
      if (content && typeof content.text === 'string') out.push(...this.delta(content.text))
    }
    return out
  }

  private blocks(list: unknown): DeltaEvent[] {
    const out: DeltaEvent[] = []
    for (const raw of Array.isArray(list) ? list : []) {
      const block = asObject(raw)
      if (block) out.push(...this.block(block))
    }
    return out
  }

  private block(block: Json): DeltaEvent[] {
    const type = Number(block.block_type)
    const id = block.block_id === undefined ? undefined : String(block.block_id)
    if (type === BLOCK.searchResult) return this.citations(block.content)
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
    const text = asObject(asObject(block.content)?.text_block)?.text
    if (typeof text !== 'string' || !text) return []
    // A block snapshot repeats the block's text so far: only what is new goes out.
    return this.say(channel, id ? channelOf(this.emitted, id).next(text) : text)
  }

  private citations(content: unknown): DeltaEvent[] {
    const fresh = findCitations(content, this.cited)
    return fresh.length ? [{ type: 'citations', items: fresh }] : []
  }
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
    if (frame.code !== undefined && frame.code !== 0) throw classifyError(frame.code, String(frame.message ?? frame.msg ?? ''))
    const data = asObject(tryJson(frame.event_data)) ?? {}
    switch (Number(frame.event_type)) {
      case LEGACY_EVENT.ack:
        return this.ack(data)
      case LEGACY_EVENT.message:
        return this.message(data)
      case LEGACY_EVENT.creations:
        return this.images(data)
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
