// chat.qwen.ai /api/v2/chat/completions stream: `response.created` first, then OpenAI-like deltas
// tagged with a phase (think / thinking_summary → reasoning, answer / none → text); it ends when
// an answer-phase delta reports status "finished". The 2026 thinking_summary phase carries its text
// as a cumulative string list in `extra.summary_thought.content`; risk control (FAIL_SYS_USER_VALIDATE)
// arrives as a frame without choices inside the 200 stream.
import { CumulativeText } from '../../src/kit/cumulative.js'
import type { SseEvent } from '../../src/kit/sse.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { QwenStreamParser, browserCheck, browserCheckMarker, classifyError, usageOf } from './parse.js'

const REASONING_PHASES = new Set(['think', 'thinking_summary'])

export class IntlStreamParser extends QwenStreamParser {
  private conversationSent = false
  private readonly summary = new CumulativeText()

  constructor(private readonly chatId: string) {
    super('intl')
  }

  push(ev: SseEvent): DeltaEvent[] {
    if (this.done) return []
    if (ev.data.trim() === '[DONE]') return this.end()
    const frame = asObject(tryJson(ev.data))
    // Only frames that carry no answer are searched for risk markers: an answer may say anything.
    const marker = frame?.choices ? undefined : browserCheckMarker(ev.data)
    if (marker) throw browserCheck('intl', marker)
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
    const text = phase === 'thinking_summary' ? this.summaryDelta(delta) : typeof delta.content === 'string' ? delta.content : ''
    if (text) {
      this.produced = true
      out.push({ type: phase && REASONING_PHASES.has(phase) ? 'reasoning' : 'text', text })
    }
    if (delta.status === 'finished' && (phase === null || phase === 'answer')) {
      out.push(...this.close())
    }
    return out
  }

  /** The summary list so far, joined, minus what was sent; frames without the list carry plain deltas. */
  private summaryDelta(delta: Record<string, unknown>): string {
    const list = asObject(asObject(delta.extra)?.summary_thought)?.content
    if (Array.isArray(list)) return this.summary.next(list.filter((x) => typeof x === 'string').join('\n'))
    return typeof delta.content === 'string' ? this.summary.append(delta.content) : ''
  }

  private throwIfError(frame: Record<string, unknown>): void {
    const err = asObject(frame.error)
    const data = asObject(frame.data)
    if (err) throw classifyError('intl', err.code, String(err.message ?? err.details ?? ''))
    if (frame.success === false) throw classifyError('intl', data?.code ?? frame.code, String(data?.details ?? frame.msg ?? ''))
    if (typeof frame.code === 'string' && !frame.choices) throw classifyError('intl', frame.code, String(frame.msg ?? frame.message ?? ''))
  }
}
