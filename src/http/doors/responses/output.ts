// DeltaEvents folded into Responses output items (assistant messages, reasoning items, function
// calls), announcing each change as the stream event OpenAI sends for it. The whole-response
// renderer runs the same builder and ignores the announcements, so a streamed answer and a
// whole one cannot disagree.
import type { ReasoningMode } from '../../../core/router.js'
import type { ChatMessage, Citation, DeltaEvent, ToolCall } from '../../../kit/types.js'

export interface OutputText {
  type: 'output_text'
  text: string
  annotations: { type: 'url_citation'; url: string; title: string; start_index: number; end_index: number }[]
  logprobs: []
}
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete'
export interface MessageItem {
  type: 'message'
  id: string
  status: ItemStatus
  role: 'assistant'
  content: OutputText[]
}
export interface ReasoningItem {
  type: 'reasoning'
  id: string
  summary: { type: 'summary_text'; text: string }[]
}
export interface FunctionCallItem {
  type: 'function_call'
  id: string
  status: ItemStatus
  call_id: string
  name: string
  arguments: string
  namespace?: string
}
export type OutputItem = MessageItem | ReasoningItem | FunctionCallItem

/** Receives each stream event (type and fields) as the output changes; the stream writes them. */
export type Announce = (type: string, fields: Record<string, unknown>) => void

export interface BuilderOptions {
  /** The token of the response id: item ids carry it so an item_reference finds its response. */
  token: string
  reasoning: ReasoningMode
  /** Tool name → namespace, for function tools the request nested in a namespace. */
  namespaces: ReadonlyMap<string, string>
  announce?: Announce
}

const quiet: Announce = () => undefined

export class OutputBuilder {
  readonly items: OutputItem[] = []
  /** The answer's text alone (no folded reasoning): what the history of a later turn holds. */
  plainText = ''
  private text: MessageItem | undefined
  private thought: ReasoningItem | undefined
  /** Function calls stream as a group: they stay open together until other output starts. */
  private readonly calls = new Map<number, FunctionCallItem>()
  private readonly openCalls: FunctionCallItem[] = []
  private thinking = false
  private citations: Citation[] = []
  private readonly announce: Announce

  constructor(private readonly o: BuilderOptions) {
    this.announce = o.announce ?? quiet
  }

  add(e: DeltaEvent): void {
    if (e.type === 'text') this.addText(e.text)
    else if (e.type === 'reasoning') this.addReasoning(e.text)
    else if (e.type === 'tool_call') this.addToolCall(e)
    else if (e.type === 'citations') this.citations.push(...e.items)
    // usage, conversation and finish belong to the response, not to an output item
  }

  private addText(text: string): void {
    if (!text) return
    this.plainText += text
    if (!this.thinking) this.appendText(text)
    else {
      this.thinking = false
      this.appendText(`\n</think>\n\n${text}`)
    }
  }

  private addReasoning(text: string): void {
    if (!text || this.o.reasoning === 'hide') return
    if (this.o.reasoning === 'field') this.appendReasoning(text)
    else if (this.thinking) this.appendText(text)
    else {
      this.thinking = true
      this.appendText(`<think>\n${text}`)
    }
  }

  /** Leaving folded reasoning for other output: close the think block. */
  private endThinking(): void {
    if (!this.thinking) return
    this.thinking = false
    this.appendText('\n</think>\n\n')
  }

  /** Close whatever is open; `incomplete` marks the items cut short (max_output_tokens). */
  finish(status: 'completed' | 'incomplete'): void {
    this.endThinking()
    this.closeText(status)
    this.closeThought()
    this.closeCalls(status)
  }

  /** Items as they stand, open ones marked incomplete: the snapshot a failed response carries. */
  snapshot(): OutputItem[] {
    return this.items.map((item) => (item.type !== 'reasoning' && item.status === 'in_progress' ? { ...item, status: 'incomplete' } : item))
  }

  /** The answer as chat messages, for the history a later turn continues. */
  chatMessages(): ChatMessage[] {
    const toolCalls: ToolCall[] = []
    for (const item of this.items) {
      if (item.type === 'function_call') toolCalls.push({ id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } })
    }
    if (!this.plainText && !toolCalls.length) return []
    return [{ role: 'assistant', content: this.plainText || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }]
  }

  private nextId(prefix: string): string {
    return `${prefix}_${this.o.token}_${this.items.length}`
  }

  private appendText(delta: string): void {
    if (!this.text) {
      this.closeThought()
      this.closeCalls('completed')
      const item: MessageItem = { type: 'message', id: this.nextId('msg'), status: 'in_progress', role: 'assistant', content: [] }
      this.text = item
      this.items.push(item)
      this.announce('response.output_item.added', { output_index: this.items.length - 1, item })
      const part: OutputText = { type: 'output_text', text: '', annotations: [], logprobs: [] }
      item.content.push(part)
      this.announce('response.content_part.added', { item_id: item.id, output_index: this.items.length - 1, content_index: 0, part })
    }
    const part = this.text.content[0]!
    part.text += delta
    this.announce('response.output_text.delta', { item_id: this.text.id, output_index: this.items.indexOf(this.text), content_index: 0, delta, logprobs: [] })
  }

  private closeText(status: 'completed' | 'incomplete'): void {
    const item = this.text
    if (!item) return
    this.text = undefined
    const index = this.items.indexOf(item)
    const part = item.content[0]!
    part.annotations = this.citations.map((c) => ({ type: 'url_citation', url: c.url, title: c.title ?? c.url, start_index: 0, end_index: part.text.length }))
    this.citations = []
    item.status = status
    this.announce('response.output_text.done', { item_id: item.id, output_index: index, content_index: 0, text: part.text, logprobs: [] })
    this.announce('response.content_part.done', { item_id: item.id, output_index: index, content_index: 0, part })
    this.announce('response.output_item.done', { output_index: index, item })
  }

  private appendReasoning(delta: string): void {
    if (!this.thought) {
      this.closeText('completed')
      this.closeCalls('completed')
      const item: ReasoningItem = { type: 'reasoning', id: this.nextId('rs'), summary: [] }
      this.thought = item
      this.items.push(item)
      this.announce('response.output_item.added', { output_index: this.items.length - 1, item })
      const part = { type: 'summary_text' as const, text: '' }
      item.summary.push(part)
      this.announce('response.reasoning_summary_part.added', { item_id: item.id, output_index: this.items.length - 1, summary_index: 0, part })
    }
    this.thought.summary[0]!.text += delta
    this.announce('response.reasoning_summary_text.delta', { item_id: this.thought.id, output_index: this.items.indexOf(this.thought), summary_index: 0, delta })
  }

  private closeThought(): void {
    const item = this.thought
    if (!item) return
    this.thought = undefined
    const index = this.items.indexOf(item)
    const part = item.summary[0]!
    this.announce('response.reasoning_summary_text.done', { item_id: item.id, output_index: index, summary_index: 0, text: part.text })
    this.announce('response.reasoning_summary_part.done', { item_id: item.id, output_index: index, summary_index: 0, part })
    this.announce('response.output_item.done', { output_index: index, item })
  }

  private addToolCall(e: Extract<DeltaEvent, { type: 'tool_call' }>): void {
    let item = this.calls.get(e.index)
    if (!item) {
      this.endThinking()
      this.closeText('completed')
      this.closeThought()
      const id = this.nextId('fc')
      item = { type: 'function_call', id, status: 'in_progress', call_id: e.id ?? `call_${id.slice(3)}`, name: e.name ?? '', arguments: '' }
      this.withNamespace(item)
      this.calls.set(e.index, item)
      this.openCalls.push(item)
      this.items.push(item)
      this.announce('response.output_item.added', { output_index: this.items.length - 1, item })
    } else {
      if (e.id) item.call_id = e.id
      if (e.name) {
        item.name += e.name
        this.withNamespace(item)
      }
    }
    if (!e.args) return
    item.arguments += e.args
    // A fragment for a call already closed (an upstream interleaving its calls) stays in the item only.
    if (item.status === 'in_progress') {
      this.announce('response.function_call_arguments.delta', { item_id: item.id, output_index: this.items.indexOf(item), delta: e.args })
    }
  }

  private withNamespace(item: FunctionCallItem): void {
    const namespace = this.o.namespaces.get(item.name)
    if (namespace) item.namespace = namespace
    else delete item.namespace
  }

  private closeCalls(status: 'completed' | 'incomplete'): void {
    for (const item of this.openCalls.splice(0)) {
      const index = this.items.indexOf(item)
      item.status = status
      this.announce('response.function_call_arguments.done', { item_id: item.id, output_index: index, name: item.name, arguments: item.arguments })
      this.announce('response.output_item.done', { output_index: index, item })
    }
  }
}
