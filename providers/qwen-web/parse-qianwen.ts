// www.qianwen.com /api/v2/chat stream: cumulative `multi_load/iframe` answer snapshots, thinking in
// `meta_data.multi_load[0].content.think_content`, sources in `bar/iframe`, end on `event: complete`.
import { CumulativeText } from '../../src/kit/cumulative.js'
import { findCitations } from '../../src/kit/find-citations.js'
import type { SseEvent } from '../../src/kit/sse.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { type Json, asObject, tryJson } from '../../src/kit/json.js'
import { QwenStreamParser, classifyError, isNoError, usageOf } from './parse.js'

const ANSWER_TYPES = new Set(['multi_load/iframe', 'text/plain'])
const THINK_MARKER = '[(multimodal_chat_think_'
const THINK_PREFIX = /^\[\(multimodal_chat_think_\d+\)\]/

/** The answer without its think-marker prefix; '' while the prefix may still be arriving. */
export function answerText(content: string): string {
  if (THINK_PREFIX.test(content)) return content.replace(THINK_PREFIX, '')
  const partial = content.length < THINK_MARKER.length ? THINK_MARKER.startsWith(content) : content.startsWith(THINK_MARKER)
  return partial && content.length > 0 ? '' : content
}

export class QianwenStreamParser extends QwenStreamParser {
  private answerType: string | undefined
  private readonly answer = new CumulativeText()
  private readonly thinking = new CumulativeText()
  private readonly cited = new Set<string>()
  private conversationSent = false

  constructor() {
    super('qianwen')
  }

  push(ev: SseEvent): DeltaEvent[] {
    if (this.done) return []
    const frame = asObject(tryJson(ev.data))
    if (!frame) return [] // keep-alives and the bare `true` some models send
    if (!isNoError(frame.error_code)) throw classifyError('qianwen', frame.error_code, String(frame.error_msg ?? ''))
    this.usage = usageOf(asObject(asObject(frame.extra_info)?.chat_odps)?.total_usage) ?? this.usage
    const out = this.conversation(asObject(frame.communication))
    const messages = asObject(frame.data)?.messages
    for (const m of Array.isArray(messages) ? messages : []) {
      const message = asObject(m)
      if (message) out.push(...this.message(message))
    }
    if (ev.event === 'complete') {
      out.push(...this.close())
    }
    return out
  }



  private conversation(comm: Json | undefined): DeltaEvent[] {
    const session = comm?.sessionid
    if (this.conversationSent || typeof session !== 'string' || !session) return []
    this.conversationSent = true
    return [{ type: 'conversation', id: session, ...(comm?.reqid ? { parentId: String(comm.reqid) } : {}) }]
  }

  private message(m: Json): DeltaEvent[] {
    const type = String(m.mime_type ?? '')
    if (type === 'bar/iframe') {
      const items = findCitations([tryJson(m.content), m.meta_data], this.cited)
      return items.length ? [{ type: 'citations', items }] : []
    }
    if (!ANSWER_TYPES.has(type)) return [] // signal/post, bar/progress, plan_cot/post...
    const out: DeltaEvent[] = []
    const multiLoad = asObject(m.meta_data)?.multi_load
    const think = asObject(asObject(Array.isArray(multiLoad) ? multiLoad[0] : undefined)?.content)?.think_content
    if (typeof think === 'string') {
      const delta = this.thinking.next(think)
      if (delta) out.push({ type: 'reasoning', text: delta })
    }
    const content = typeof m.content === 'string' ? answerText(m.content) : ''
    // Whichever answer type carries text first is the answer; a second one would repeat it.
    if (content && !this.answerType) this.answerType = type
    if (type === this.answerType) {
      const delta = this.answer.next(content)
      if (delta) out.push({ type: 'text', text: delta })
    }
    if (out.length) this.produced = true
    return out
  }
}
