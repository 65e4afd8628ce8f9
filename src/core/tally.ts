// What a response contained, gathered as events pass: the answer (for the conversation hash),
// usage (upstream's, else a tokenizer estimate) and timing.
import { estimatePromptTokens, estimateTextTokens } from '../kit/tokens.js'
import type { ChatMessage, Citation, DeltaEvent, FinishReason } from '../kit/types.js'

export interface Usage {
  promptTokens: number
  completionTokens: number
  reasoningTokens?: number
  estimated: boolean
}

const NONE: ReadonlyMap<number, { id?: string; name: string; args: string }> = new Map()

export class Tally {
  text = ''
  reasoning = ''
  /** Tool calls by index, as they were streamed (names and arguments in pieces); made on the first. */
  private calledTools: Map<number, { id?: string; name: string; args: string }> | undefined
  /** Made on the first citations event (most answers have none). */
  private cited: Citation[] | undefined
  conversation: { id: string; parentId?: string } | undefined
  finish: FinishReason | undefined
  upstreamUsage: { promptTokens: number; completionTokens: number; reasoningTokens?: number } | undefined
  firstEventAt: number | undefined
  /** usage() is read for the reply and again for the record; estimating means tokenizing it all. */
  private counted: Usage | undefined

  observe(e: DeltaEvent, at: number): void {
    this.firstEventAt ??= at
    this.counted = undefined
    // The answer (record, history, conversation) is the first choice; usage covers them all.
    if ('choice' in e && e.choice) return
    switch (e.type) {
      case 'text':
        this.text += e.text
        break
      case 'reasoning':
        this.reasoning += e.text
        break
      case 'tool_call': {
        this.calledTools ??= new Map()
        const call = this.calledTools.get(e.index)
        if (!call) this.calledTools.set(e.index, { ...(e.id ? { id: e.id } : {}), name: e.name ?? '', args: e.args })
        else {
          if (e.id) call.id = e.id
          if (e.name) call.name += e.name
          call.args += e.args
        }
        break
      }
      case 'usage': {
        const { promptTokens, completionTokens, reasoningTokens } = e
        this.upstreamUsage = reasoningTokens ? { promptTokens, completionTokens, reasoningTokens } : { promptTokens, completionTokens }
        break
      }
      case 'conversation':
        this.conversation = e.parentId ? { id: e.id, parentId: e.parentId } : { id: e.id }
        break
      case 'citations':
        this.cited ??= []
        this.cited.push(...e.items)
        break
      case 'finish':
        this.finish = e.reason
        break
    }
  }

  /** Tool calls by index (names and arguments joined); empty when the answer made none. */
  get toolCalls(): ReadonlyMap<number, { id?: string; name: string; args: string }> {
    return this.calledTools ?? NONE
  }

  get citations(): readonly Citation[] {
    return this.cited ?? []
  }

  /** The calls in index order (names and arguments joined), for the remembered answer. */
  calls(): { name: string; args: string }[] {
    return [...this.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ name: c.name, args: c.args }))
  }

  /** The response's usage; `messages` are the request's own (the same on every call). */
  usage(messages: readonly ChatMessage[]): Usage {
    this.counted ??= this.count(messages)
    return this.counted
  }

  private count(messages: readonly ChatMessage[]): Usage {
    if (this.upstreamUsage) return { ...this.upstreamUsage, estimated: false }
    const reasoningTokens = estimateTextTokens(this.reasoning)
    let toolTokens = 0
    for (const call of this.toolCalls.values()) toolTokens += estimateTextTokens(call.name + call.args)
    return {
      promptTokens: estimatePromptTokens(messages),
      completionTokens: estimateTextTokens(this.text) + reasoningTokens + toolTokens,
      ...(reasoningTokens ? { reasoningTokens } : {}),
      estimated: true,
    }
  }
}
