// Pure translation of metaso `searchV2` SSE payloads into DeltaEvents.
import { CitationStripper } from '../../src/kit/citations.js'
import { rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import { type Json, asObject, tryJson } from '../../src/kit/json.js'
import type { Citation, DeltaEvent } from '../../src/kit/types.js'
import { METASO_MARKERS, PROVIDER_ID } from './constants.js'

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)

const TOO_MANY = /TOO_MANY_REQUESTS|too many requests|请求过于频繁/i

/** An upstream error payload (JSON `type:error` or a bare line) → typed error. */
export function searchFailure(code: string | undefined, message: string | undefined) {
  const text = `${PROVIDER_ID}: ${[code, message].filter(Boolean).join(' — ') || 'search failed'}`
  return TOO_MANY.test(`${code} ${message}`) ? rateLimited(text, { provider: PROVIDER_ID }) : upstreamUnavailable(text, { provider: PROVIDER_ID })
}

export class MetasoParser {
  ended = false
  private readonly citations = new Map<string, Citation>()
  private readonly stripper: CitationStripper

  constructor(keepMarkers = false) {
    this.stripper = new CitationStripper([METASO_MARKERS], keepMarkers)
  }

  /** One SSE data payload → events; unknown types are ignored. */
  push(data: string): DeltaEvent[] {
    const trimmed = data.trim()
    if (trimmed === '[DONE]') {
      this.ended = true
      return []
    }
    const parsed = tryJson(trimmed)
    if (parsed === undefined && TOO_MANY.test(trimmed)) throw searchFailure(trimmed, undefined)
    const json = asObject(parsed)
    if (!json) return []
    switch (json.type) {
      case 'append-text': {
        const text = typeof json.text === 'string' ? this.stripper.push(json.text) : ''
        return text ? [{ type: 'text', text }] : []
      }
      case 'error':
        throw searchFailure(str(json.code) ?? (json.code === undefined ? undefined : String(json.code)), str(json.msg) ?? str(json.message))
      case 'set-reference':
        if (Array.isArray(json.list)) for (const item of json.list) this.addSource(item)
        return []
      default:
        // The Python proxy's rule: any other payload naming a link and a title is a source.
        this.addSource(json)
        return []
    }
  }

  finish(): DeltaEvent[] {
    const out: DeltaEvent[] = []
    const rest = this.stripper.flush()
    if (rest) out.push({ type: 'text', text: rest })
    if (this.citations.size) out.push({ type: 'citations', items: [...this.citations.values()] })
    out.push({ type: 'finish', reason: 'stop' })
    return out
  }

  private addSource(item: unknown): void {
    if (!item || typeof item !== 'object') return
    const o = item as Json
    const url = str(o.link) ?? str(o.url)
    const title = str(o.title)
    if (!url || !title || !/^https?:\/\//.test(url) || this.citations.has(url)) return
    this.citations.set(url, { url, title })
  }
}
