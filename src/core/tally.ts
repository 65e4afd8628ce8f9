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

export class Tally {
  text = ''
  reasoning = ''
  toolArgs = ''
  hasToolCalls = false
  /** Each call's name and arguments by index (fragments joined), for the remembered answer. */
  toolCalls: { name: string; args: string }[] = []
  citations: Citation[] = []
  conversation: { id: string; parentId?: string } | undefined
  finish: FinishReason | undefined
  upstreamUsage: { promptTokens: number; completionTokens: number; reasoningTokens?: number } | undefined
  firstEventAt: number | undefined
  /** usage() is read for the reply and again for the record; estimating means tokenizing it all. */
  private counted: Usage | undefined

  observe(e: DeltaEvent, at: number): void {
    this.firstEventAt ??= at
    this.counted = undefined
    switch (e.type) {
      case 'text':
        this.text += e.text
        break
      case 'reasoning':
        this.reasoning += e.text
        break
      case 'tool_call':
        this.hasToolCalls = true
        this.toolArgs += (e.name ?? '') + e.args
        this.addToolCall(e)
        break
      case 'usage': {
        const { promptTokens, completionTokens, reasoningTokens } = e
        this.upstreamUsage = reasoningTokens ? { promptTokens, completionTokens, reasoningTokens } : { promptTokens, completionTokens }
        break
      }
      case 'conversation':
        this.conversation = e.parentId ? { id: e.id, parentId: e.parentId } : { id: e.id }
        break
      case 'citations':
        this.citations.push(...e.items)
        break
      case 'finish':
        this.finish = e.reason
        break
    }
  }

  private addToolCall(e: Extract<DeltaEvent, { type: 'tool_call' }>): void {
    const call = this.toolCalls[e.index]
    if (call) {
      if (e.name) call.name = e.name
      call.args += e.args
    } else this.toolCalls[e.index] = { name: e.name ?? '', args: e.args }
  }

  /** The response's usage; `messages` are the request's own (the same on every call). */
  usage(messages: readonly ChatMessage[]): Usage {
    this.counted ??= this.count(messages)
    return this.counted
  }

  private count(messages: readonly ChatMessage[]): Usage {
    if (this.upstreamUsage) return { ...this.upstreamUsage, estimated: false }
    const reasoningTokens = estimateTextTokens(this.reasoning)
    return {
      promptTokens: estimatePromptTokens(messages),
      completionTokens: estimateTextTokens(this.text) + reasoningTokens + estimateTextTokens(this.toolArgs),
      ...(reasoningTokens ? { reasoningTokens } : {}),
      estimated: true,
    }
  }
}
