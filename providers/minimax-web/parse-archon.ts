// Pure translation of the archon message stream into DeltaEvents. UNVERIFIED shapes (updates-2026
// §6.3, two peers): `agent_message_chunk.msg_content` is a delta (type 6); `agent_message` carries
// the whole message `{reasoning_content, msg_content, finish_reason}` (type 2). Which of the SSE
// event name, the JSON key or the numeric `type` names the kind is not documented, so any of them
// is accepted, with or without a `data` wrapper.
import { CumulativeText } from '../../src/kit/cumulative.js'
import { protocolError } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { readSse } from '../../src/kit/sse.js'
import type { DeltaEvent, FinishReason } from '../../src/kit/types.js'
import { PROVIDER_ID } from './constants.js'

type Json = Record<string, unknown>

const CHUNK_TYPE = 6
const WHOLE_TYPE = 2
const str = (v: unknown) => (typeof v === 'string' ? v : undefined)

function finishReason(raw: string): FinishReason {
  if (raw === 'length' || raw === 'max_tokens') return 'length'
  if (raw === 'content_filter' || raw === 'sensitive') return 'content_filter'
  return 'stop'
}

export class ArchonParser {
  private readonly text = new CumulativeText()
  private readonly reasoning = new CumulativeText()
  finish: FinishReason | undefined

  get ended(): boolean {
    return this.finish !== undefined
  }

  /** Whether any answer text or reasoning arrived. */
  get answered(): boolean {
    return this.text.text !== '' || this.reasoning.text !== ''
  }

  /** One SSE event → deltas; anything that is not one of the two known kinds is ignored. */
  push(data: string, event?: string): DeltaEvent[] {
    const top = asObject(tryJson(data))
    if (!top) return []
    const json = asObject(top.data) ?? top
    const chunk = asObject(json.agent_message_chunk) ?? (event === 'agent_message_chunk' || json.type === CHUNK_TYPE ? json : undefined)
    const whole = asObject(json.agent_message) ?? (event === 'agent_message' || json.type === WHOLE_TYPE ? json : undefined)
    const out: DeltaEvent[] = []
    if (chunk) this.onChunk(chunk, out)
    else if (whole) this.onWhole(whole, out)
    return out
  }

  private onChunk(chunk: Json, out: DeltaEvent[]): void {
    const r = str(chunk.reasoning_content)
    if (r) out.push({ type: 'reasoning', text: this.reasoning.append(r) })
    const t = str(chunk.msg_content)
    if (t) out.push({ type: 'text', text: this.text.append(t) })
  }

  /** The whole message: only what the chunks did not already deliver goes out. */
  private onWhole(whole: Json, out: DeltaEvent[]): void {
    const r = this.reasoning.next(str(whole.reasoning_content) ?? '')
    if (r) out.push({ type: 'reasoning', text: r })
    const t = this.text.next(str(whole.msg_content) ?? '')
    if (t) out.push({ type: 'text', text: t })
    const reason = str(whole.finish_reason)
    if (reason) this.finish = finishReason(reason)
  }
}

/** The whole stream → deltas and one finish; ends at the first `finish_reason` or the end of the body. */
export async function* parseArchonStream(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<DeltaEvent> {
  const parser = new ArchonParser()
  for await (const ev of readSse(body)) {
    yield* parser.push(ev.data, ev.event)
    if (parser.ended) break
  }
  if (!parser.ended && !parser.answered)
    throw protocolError(`${PROVIDER_ID}: the archon stream ended without an answer`, { provider: PROVIDER_ID })
  yield { type: 'finish', reason: parser.finish ?? 'stop' }
}
