// Pure translation of www.kimi.com Connect chat events ({op, mask, <container>}) into DeltaEvents.
// Three end signals exist (assistant status COMPLETED, a `done` event, the 0x02 trailer); any of
// them ends the answer.
import { CITATION_MARKERS, CitationStripper } from '../../src/kit/citations.js'
import type { ConnectMessage } from '../../src/kit/connect.js'
import { CumulativeText } from '../../src/kit/cumulative.js'
import type { Citation, DeltaEvent } from '../../src/kit/types.js'
import { connectFailure } from './errors.js'

type Json = Record<string, unknown>
type BlockKind = 'text' | 'reasoning'

const COMPLETED = 'MESSAGE_STATUS_COMPLETED'

const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export class KimiConnectParser {
  chatId: string | undefined
  assistantId: string | undefined
  /** The answer is complete (status, `done` or trailer seen). */
  completed = false
  /** The stream has nothing more to say (`done` or trailer). */
  ended = false
  private conversationSent = false
  private parentSent = false
  private readonly blocks = new Map<string, { kind: BlockKind; sent: CumulativeText }>()
  private readonly citations = new Map<string, Citation>()
  private readonly stripper: CitationStripper

  constructor(keepMarkers = false) {
    this.stripper = new CitationStripper([CITATION_MARKERS.privateUse], keepMarkers)
  }

  /** One Connect message → events. Throws the typed error an error frame or trailer carries. */
  push(msg: ConnectMessage): DeltaEvent[] {
    const json = msg.json
    const error = obj(json.error)
    if (error) throw connectFailure(str(error.code), str(error.message))
    if (msg.end || 'done' in json) {
      this.completed = true
      this.ended = true
      return []
    }
    const out: DeltaEvent[] = []
    const chat = obj(json.chat)
    if (chat && str(chat.id)) this.chatId = str(chat.id)
    const message = obj(json.message)
    if (message) this.onMessage(message)
    if (this.chatId && this.assistantId) this.emitConversation(out)
    const block = obj(json.block)
    if (block) this.onBlock(block, str(json.op) ?? 'set', out)
    return out
  }

  /** After the last frame: held text, sources, conversation (if never sent) and finish. */
  finish(): DeltaEvent[] {
    const out: DeltaEvent[] = []
    this.emitConversation(out)
    // Sent early (content before the assistant message): repeat it now that the parent is known.
    if (this.chatId && this.assistantId && !this.parentSent) {
      this.parentSent = true
      out.push({ type: 'conversation', id: this.chatId, parentId: this.assistantId })
    }
    const rest = this.stripper.flush()
    if (rest) out.push({ type: 'text', text: rest })
    if (this.citations.size) out.push({ type: 'citations', items: [...this.citations.values()] })
    out.push({ type: 'finish', reason: 'stop' })
    return out
  }

  private onMessage(message: Json): void {
    const id = str(message.id)
    const role = str(message.role)
    if (role === 'assistant' && id) this.assistantId = id
    const isAssistant = role === 'assistant' || (id !== undefined && id === this.assistantId)
    if (isAssistant && str(message.status) === COMPLETED) this.completed = true
    const refs = obj(message.refs)
    if (Array.isArray(refs?.searchChunks)) this.addSources(refs.searchChunks)
  }

  private onBlock(block: Json, op: string, out: DeltaEvent[]): void {
    const id = str(block.id) ?? ''
    const think = obj(block.think)
    if (think) this.onContent(`think:${id}`, 'reasoning', str(think.content), op, out)
    const text = obj(block.text)
    if (text) {
      const flagged = str(text.flags) === 'thinking' ? 'reasoning' : str(text.flags) === 'answer' ? 'text' : undefined
      this.onContent(`text:${id}`, flagged, str(text.content), op, out)
    }
    const tool = obj(block.tool)
    if (Array.isArray(tool?.contents)) this.addSources(tool.contents)
  }

  private onContent(key: string, kind: BlockKind | undefined, content: string | undefined, op: string, out: DeltaEvent[]) {
    let state = this.blocks.get(key)
    if (!state) {
      state = { kind: kind ?? (key.startsWith('think:') ? 'reasoning' : 'text'), sent: new CumulativeText() }
      this.blocks.set(key, state)
    } else if (kind) state.kind = kind
    if (!content) return
    // A `set` carries the whole content so far: only what is new goes out.
    const delta = op === 'append' ? state.sent.append(content) : state.sent.next(content)
    if (!delta) return
    this.emitConversation(out, true)
    if (state.kind === 'reasoning') out.push({ type: 'reasoning', text: delta })
    else {
      const clean = this.stripper.push(delta)
      if (clean) out.push({ type: 'text', text: clean })
    }
  }

  /** Send the conversation once, before any content; `early` allows it without the assistant id. */
  private emitConversation(out: DeltaEvent[], early = false): void {
    if (this.conversationSent || !this.chatId) return
    if (!this.assistantId && !early && !this.completed && !this.ended) return
    this.conversationSent = true
    this.parentSent = this.assistantId !== undefined
    out.push(this.assistantId ? { type: 'conversation', id: this.chatId, parentId: this.assistantId } : { type: 'conversation', id: this.chatId })
  }

  private addSources(items: unknown[]): void {
    for (const item of items) {
      const entry = obj(item)
      const base = obj(obj(entry?.searchResult)?.base) ?? obj(entry?.base) ?? entry
      const url = str(base?.url)
      if (!url || this.citations.has(url)) continue
      const title = str(base?.title)
      this.citations.set(url, title ? { url, title } : { url })
    }
  }
}
