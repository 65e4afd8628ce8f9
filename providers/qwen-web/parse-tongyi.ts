// Legacy Tongyi /dialog/conversation stream: cumulative `contents`, end on msgStatus "finished",
// `canShare: false` marks a censored answer, `errorCode` an error; then `data: [DONE]`.
import { CumulativeText } from '../../src/kit/cumulative.js'
import type { SseEvent } from '../../src/kit/sse.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { classifyError, isNoError } from './parse.js'

/** Tongyi ids are 32 hex chars; a conversation is `sessionId-msgId` (free-api convention). */
export const TONGYI_CONVERSATION = /^([0-9a-z]{32})-([0-9a-z]{32})$/

export class TongyiStreamParser {
  done = false
  private readonly answer = new CumulativeText()
  private conversationSent = false
  private produced = false

  push(ev: SseEvent): DeltaEvent[] {
    if (this.done) return []
    if (ev.data.trim() === '[DONE]') return this.end()
    const frame = asObject(tryJson(ev.data))
    if (!frame) return []
    if (!isNoError(frame.errorCode)) throw classifyError('tongyi', frame.errorCode, String(frame.errorMsg ?? ''))
    const out: DeltaEvent[] = []
    const session = frame.sessionId
    const msg = frame.msgId
    if (!this.conversationSent && typeof session === 'string' && session && typeof msg === 'string' && msg) {
      this.conversationSent = true
      out.push({ type: 'conversation', id: `${session}-${msg}`, parentId: msg })
    }
    const contents = Array.isArray(frame.contents) ? frame.contents : []
    const full = contents
      .map((c) => asObject(c))
      .filter((c) => c && c.contentType === 'text' && (c.role ?? 'assistant') === 'assistant')
      .map((c) => String(c!.content ?? ''))
      .join('')
    const delta = this.answer.next(full)
    if (delta) {
      this.produced = true
      out.push({ type: 'text', text: delta })
    }
    if (frame.msgStatus === 'finished') {
      this.done = true
      out.push({ type: 'finish', reason: frame.canShare === false ? 'content_filter' : 'stop' })
    }
    return out
  }

  end(): DeltaEvent[] {
    if (this.done) return []
    this.done = true
    if (!this.produced) throw classifyError('tongyi', undefined, 'the stream ended before any answer')
    return [{ type: 'finish', reason: 'stop' }]
  }
}
