// DeltaEvents → OpenAI chat.completion.chunk SSE lines, byte-compatible with what the openai SDK
// parses. The chunk envelope is built once per response; each event only serializes its delta.
import type { Citation, DeltaEvent, FinishReason } from '../../../kit/types.js'
import type { ReasoningMode } from '../../../core/router.js'
import type { Usage } from '../../../core/tally.js'

export interface WriterOptions {
  id: string
  /** The choice this writer renders (n > 1 answers have one writer per choice). */
  index?: number
  model: string
  created: number
  reasoning: ReasoningMode
  includeUsage: boolean
}

export const SSE_DONE = 'data: [DONE]\n\n'

export function toAnnotations(citations: readonly Citation[]) {
  return citations.map((c) => ({ type: 'url_citation', url_citation: { url: c.url, title: c.title ?? c.url } }))
}

export function usageJson(u: Usage) {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    ...(u.reasoningTokens ? { completion_tokens_details: { reasoning_tokens: u.reasoningTokens } } : {}),
  }
}

export class ChunkWriter {
  private head = ''
  private thinking = false
  private readonly seenTools = new Set<number>()
  private finishReason: FinishReason | undefined
  private readonly citations: Citation[] = []
  started = false

  constructor(private readonly opts: WriterOptions) {}

  get id(): string {
    return this.opts.id
  }

  /** Set the response id (an upstream conversation id) before the first chunk. */
  setId(id: string): void {
    if (!this.started) this.opts.id = id
  }

  private chunk(delta: string, finish: string | null = null, logprobs?: unknown[]): string {
    if (!this.head) {
      const { id, created, model, index = 0 } = this.opts
      this.head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":${index},"delta":`
    }
    const lp = logprobs ? `,"logprobs":{"content":${JSON.stringify(logprobs)}}` : ''
    return `${this.head}${delta}${lp},"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}]}\n\n`
  }

  /** The first chunk: role only, as OpenAI sends it; content stays null when the answer opens with a tool call. */
  start(first?: DeltaEvent): string {
    this.started = true
    return this.chunk(first?.type === 'tool_call' ? '{"role":"assistant","content":null}' : '{"role":"assistant","content":""}')
  }

  write(e: DeltaEvent): string {
    switch (e.type) {
      case 'text':
        if (!e.text) return ''
        if (this.thinking) {
          this.thinking = false
          return this.chunk(`{"content":${JSON.stringify(`\n</think>\n\n${e.text}`)}}`, null, e.logprobs)
        }
        return this.chunk(`{"content":${JSON.stringify(e.text)}}`, null, e.logprobs)
      case 'reasoning':
        if (!e.text || this.opts.reasoning === 'hide') return ''
        if (this.opts.reasoning === 'field') return this.chunk(`{"reasoning_content":${JSON.stringify(e.text)}}`)
        if (!this.thinking) {
          this.thinking = true
          return this.chunk(`{"content":${JSON.stringify(`<think>\n${e.text}`)}}`)
        }
        return this.chunk(`{"content":${JSON.stringify(e.text)}}`)
      case 'tool_call': {
        const call: Record<string, unknown> = { index: e.index }
        const fn: Record<string, string> = { arguments: e.args }
        if (!this.seenTools.has(e.index)) {
          this.seenTools.add(e.index)
          call.id = e.id ?? `call_${e.index}_${this.opts.id.slice(-8)}`
          call.type = 'function'
          fn.name = e.name ?? ''
        } else if (e.name) fn.name = e.name
        call.function = fn
        return this.chunk(`{"tool_calls":[${JSON.stringify(call)}]}`)
      }
      case 'citations':
        this.citations.push(...e.items)
        return ''
      case 'finish':
        this.finishReason = e.reason
        return ''
      default:
        return '' // usage and conversation ids are not client-visible deltas
    }
  }

  /** Close an open think block and send finish_reason (+ annotations): the choice is complete. */
  close(): string {
    const out = this.thinking ? this.chunk(`{"content":"\\n</think>\\n\\n"}`) : ''
    this.thinking = false
    const reason = this.finishReason ?? (this.seenTools.size ? 'tool_calls' : 'stop')
    const delta = this.citations.length ? JSON.stringify({ annotations: toAnnotations(this.citations) }) : '{}'
    return out + this.chunk(delta, reason)
  }

  /** close(), then the usage chunk if asked, then [DONE]. */
  end(usage: Usage | undefined): string {
    let out = this.close()
    if (this.opts.includeUsage && usage) {
      const { id, created, model } = this.opts
      out += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageJson(usage) })}\n\n`
    }
    return out + SSE_DONE
  }
}

/** An error after streaming began: a final error event, then [DONE]; never fake assistant text. */
export function sseError(error: { message: string; type: string; code: string | null; param?: string | null }): string {
  return `data: ${JSON.stringify({ error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code } })}\n\n${SSE_DONE}`
}
