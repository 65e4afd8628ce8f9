// Feeding answer text to the extractor every way it can arrive, and reading back what came out.
import { extractToolCalls } from '../../../src/core/tools/index.js'
import type { ExtractOptions } from '../../../src/core/tools/index.js'
import type { DeltaEvent } from '../../../src/kit/types.js'
import { drain, everySplit } from '../../helpers/chunks.js'

/** Whole; cut in two at every byte (decoded as a stream, as adapters do) and at every UTF-16 unit (inside surrogate pairs too); one unit at a time. */
export function* everyCut(text: string): Generator<string[]> {
  for (const bytes of everySplit(text)) {
    const decoder = new TextDecoder()
    yield [...bytes.map((b) => decoder.decode(b, { stream: true })), decoder.decode()].filter(Boolean)
  }
  for (let i = 1; i < text.length; i++) yield [text.slice(0, i), text.slice(i)]
  yield text.split('')
}

export async function* replay(events: readonly DeltaEvent[]): AsyncGenerator<DeltaEvent> {
  for (const e of events) yield e
}

export interface Outcome {
  text: string
  reasoning: string
  calls: { index: number; name?: string; args: string }[]
  /** Every event other than text, reasoning and tool calls, in order. */
  others: DeltaEvent[]
}

/** The events read back, checked for what must hold at any cut: fresh `call_` ids, no markup in released text. */
export function outcomeOf(events: readonly DeltaEvent[], markupAllowed = false): Outcome {
  const ids = new Set<string>()
  const out: Outcome = { text: '', reasoning: '', calls: [], others: [] }
  for (const e of events) {
    if (e.type === 'text') {
      if (!markupAllowed && /<\/?tool_call>/.test(e.text)) throw new Error(`markup leaked into a text delta: ${e.text}`)
      if (!e.text) throw new Error('empty text delta')
      out.text += e.text
    } else if (e.type === 'reasoning') out.reasoning += e.text
    else if (e.type === 'tool_call') {
      if (!/^call_[\w-]{16}$/.test(e.id ?? '') || ids.has(e.id!)) throw new Error(`bad or repeated call id ${e.id}`)
      ids.add(e.id!)
      out.calls.push({ index: e.index, name: e.name, args: e.args })
    } else out.others.push(e)
  }
  return out
}

/** Runs the text (cut every way) between `before` and `after` events; every run must read the same. */
export async function extractEveryWay(
  text: string,
  options: ExtractOptions,
  frame: { before?: DeltaEvent[]; after?: DeltaEvent[]; markupAllowed?: boolean } = {},
): Promise<Outcome> {
  let first: Outcome | undefined
  for (const pieces of everyCut(text)) {
    const events: DeltaEvent[] = [...(frame.before ?? []), ...pieces.map((t) => ({ type: 'text' as const, text: t })), ...(frame.after ?? [])]
    const outcome = outcomeOf(await drain(extractToolCalls(replay(events), options)), frame.markupAllowed)
    if (!first) first = outcome
    else if (JSON.stringify(outcome) !== JSON.stringify(first))
      throw new Error(`cut ${JSON.stringify(pieces)} read ${JSON.stringify(outcome)}, whole read ${JSON.stringify(first)}`)
  }
  return first!
}
