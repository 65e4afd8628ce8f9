// Pure translation of the legacy kimi.moonshot.cn SSE events (`data: {"event":…}`) into DeltaEvents.
import { CITATION_MARKERS, CitationStripper } from '../../src/kit/citations.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import type { Citation, DeltaEvent, FinishReason } from '../../src/kit/types.js'

type Json = Record<string, unknown>

export class KimiLegacyParser {
  finishReason: FinishReason | undefined
  /** Segment id of the answer (`req` event), needed to continue a truncated answer. */
  segmentId: string | undefined
  private readonly citations = new Map<string, Citation>()
  private readonly stripper: CitationStripper

  constructor(keepMarkers = false) {
    this.stripper = new CitationStripper([CITATION_MARKERS.privateUse], keepMarkers)
  }

  get ended(): boolean {
    return this.finishReason !== undefined
  }

  /** One SSE data payload → events; lines that are not JSON objects are ignored. */
  push(data: string): DeltaEvent[] {
    const json = asObject(tryJson(data))
    if (!json) return []
    switch (json.event) {
      case 'cmpl': {
        const text = typeof json.text === 'string' ? this.stripper.push(json.text) : ''
        return text ? [{ type: 'text', text }] : []
      }
      case 'k1':
        return typeof json.text === 'string' && json.text ? [{ type: 'reasoning', text: json.text }] : []
      case 'req':
        if (typeof json.id === 'string') this.segmentId = json.id
        return []
      case 'search_plus': {
        const msg = json.msg as Json | undefined
        if (msg?.type === 'get_res' && typeof msg.url === 'string' && !this.citations.has(msg.url))
          this.citations.set(msg.url, typeof msg.title === 'string' ? { url: msg.url, title: msg.title } : { url: msg.url })
        return []
      }
      case 'length':
        this.finishReason = 'length'
        return []
      case 'error':
        // The legacy site's moderation stop.
        this.finishReason = 'content_filter'
        return []
      case 'all_done':
        this.finishReason ??= 'stop'
        return []
      default:
        return []
    }
  }

  finish(): DeltaEvent[] {
    const out: DeltaEvent[] = []
    const rest = this.stripper.flush()
    if (rest) out.push({ type: 'text', text: rest })
    if (this.citations.size) out.push({ type: 'citations', items: [...this.citations.values()] })
    out.push({ type: 'finish', reason: this.finishReason ?? 'stop' })
    return out
  }
}
