// www.qianwen.com /api/v2/chat stream: cumulative `multi_load/iframe` answer snapshots, sources in
// `bar/iframe`. Two shapes are read:
// - to mid-2026: answer in `content`, thinking in `meta_data.multi_load[0].content.think_content`,
//   end on `event: complete`, `communication` beside `data`;
// - 2026-09 (unverified capture): thinking as `bar/workflow` snapshots of `bar_thinking` items,
//   answer snapshot in `meta_data.multi_load[0].content`, `communication` inside `data`, and
//   `data.sse_end: "1"` as the authoritative end.
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
    const data = asObject(frame.data)
    const out = this.conversation(asObject(frame.communication) ?? asObject(data?.communication))
    const messages = data?.messages
    for (const m of Array.isArray(messages) ? messages : []) {
      const message = asObject(m)
      if (message) out.push(...this.message(message))
    }
    if (ev.event === 'complete' || data?.sse_end === '1' || data?.sse_end === 1) {
      out.push(...this.close())
    }
    return out
  }

  /** The thinking panel: every frame a full snapshot of its `bar_thinking` items. */
  private workflow(m: Json): DeltaEvent[] {
    const items = asObject(m.meta_data)?.multi_load
    const steps: string[] = []
    for (const raw of Array.isArray(items) ? items : []) {
      const item = asObject(raw)
      const content = asObject(item?.content)
      if (item?.type !== 'bar_thinking' || !content) continue
      const step = [content.title, content.body].filter((x) => typeof x === 'string' && x).join('\n')
      if (step) steps.push(step)
    }
    const delta = this.thinking.next(steps.join('\n\n'))
    if (!delta) return []
    this.produced = true
    return [{ type: 'reasoning', text: delta }]
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
    if (type === 'bar/workflow') return this.workflow(m)
    if (!ANSWER_TYPES.has(type)) return [] // signal/post, bar/progress, plan_cot/post...
    const out: DeltaEvent[] = []
    const multiLoad = asObject(m.meta_data)?.multi_load
    const first = asObject(Array.isArray(multiLoad) ? multiLoad[0] : undefined)?.content
    const think = asObject(first)?.think_content
    if (typeof think === 'string') {
      const delta = this.thinking.next(think)
      if (delta) out.push({ type: 'reasoning', text: delta })
    }
    // The 2026 shape keeps the answer snapshot in multi_load[0].content; the older one in content.
    const snapshot = typeof m.content === 'string' && m.content ? m.content : typeof first === 'string' ? first : ''
    const content = answerText(snapshot)
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
