// chat.qwen.ai /api/v2/chat/completions stream: `response.created` first, then OpenAI-like deltas
// tagged with a phase (think / thinking_summary → reasoning, answer / none → text); it ends when
// an answer-phase delta reports status "finished".
import type { SseEvent } from '../../src/kit/sse.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { QwenStreamParser, classifyError, usageOf } from './parse.js'

const REASONING_PHASES = new Set(['think', 'thinking_summary'])

export class IntlStreamParser extends QwenStreamParser {
  private conversationSent = false

  constructor(private readonly chatId: string) {
    super('intl')
  }

  push(ev: SseEvent): DeltaEvent[] {
    if (this.done) return []
    if (ev.data.trim() === '[DONE]') return this.end()
    const frame = asObject(tryJson(ev.data))
    if (!frame) return []
    this.throwIfError(frame)
    const out: DeltaEvent[] = []
    const created = asObject(frame['response.created'])
    if (created && !this.conversationSent) {
      this.conversationSent = true
      const parent = created.response_id
      out.push({ type: 'conversation', id: this.chatId, ...(parent ? { parentId: String(parent) } : {}) })
    }
    this.usage = usageOf(frame.usage) ?? this.usage
    const choices = Array.isArray(frame.choices) ? frame.choices : []
    const delta = asObject(asObject(choices[0])?.delta)
    if (!delta) return out
    const phase = typeof delta.phase === 'string' ? delta.phase : null
    const text = typeof delta.content === 'string' ? delta.content : ''
    if (text) {
      this.produced = true
      out.push({ type: phase && REASONING_PHASES.has(phase) ? 'reasoning' : 'text', text })
    }
    if (delta.status === 'finished' && (phase === null || phase === 'answer')) {
      out.push(...this.close())
    }
    return out
  }



  private throwIfError(frame: Record<string, unknown>): void {
    const err = asObject(frame.error)
    const data = asObject(frame.data)
    if (err) throw classifyError('intl', err.code, String(err.message ?? err.details ?? ''))
    if (frame.success === false) throw classifyError('intl', data?.code ?? frame.code, String(data?.details ?? frame.msg ?? ''))
    if (typeof frame.code === 'string' && !frame.choices) throw classifyError('intl', frame.code, String(frame.msg ?? frame.message ?? ''))
  }
}
