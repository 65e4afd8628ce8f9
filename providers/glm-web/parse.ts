// Pure ChatGLM stream handling: cumulative content items → deltas, and envelope → error class.
import {
  type UpstreamError,
  credentialInvalid,
  protocolError,
  quotaExhausted,
  rateLimited,
  upstreamUnavailable,
} from '../../src/kit/errors.js'
import { type CumulativeText, channelOf } from '../../src/kit/cumulative.js'
import { tryJson } from '../../src/kit/json.js'
import { readSse } from '../../src/kit/sse.js'
import type { Citation, DeltaEvent } from '../../src/kit/types.js'
import { PROVIDER_ID } from './constants.js'

interface ContentItem {
  type?: string
  status?: string
  text?: string
  think?: string
  code?: string
  content?: string
  image?: { image_url?: string }[]
  meta_data?: { metadata_list?: { title?: string; url?: string }[] }
}

interface Part {
  id?: string
  logic_id?: string
  status?: string
  content?: ContentItem[]
  meta_data?: { metadata_list?: { title?: string; url?: string }[] }
}

export interface GlmEvent {
  conversation_id?: string
  status?: string
  last_error?: { intervene_text?: string; message?: string; msg?: string } | null
  parts?: Part[]
}

export interface GlmStreamState {
  /** Cumulative text seen so far per content item. */
  seen: Map<string, CumulativeText>
  /** Content items whose markdown code fence is open. */
  openFences: Set<string>
  emittedImages: Set<string>
  citedUrls: Set<string>
  conversationId?: string
  finished: boolean
  producedOutput: boolean
}

export const newGlmState = (): GlmStreamState => ({
  seen: new Map(),
  openFences: new Set(),
  emittedImages: new Set(),
  citedUrls: new Set(),
  finished: false,
  producedOutput: false,
})

export { cumulativeDelta } from '../../src/kit/cumulative.js'

function advance(state: GlmStreamState, key: string, value: string | undefined): string {
  if (typeof value !== 'string') return ''
  return channelOf(state.seen, key).next(value)
}

const FENCE_LANG: Record<string, string> = { code: 'python', execution_output: '' }

function closeFences(state: GlmStreamState, out: DeltaEvent[], only?: string): void {
  for (const key of [...state.openFences]) {
    if (only !== undefined && key !== only) continue
    state.openFences.delete(key)
    out.push({ type: 'text', text: '\n```\n' })
  }
}

function itemEvents(item: ContentItem, part: Part, key: string, state: GlmStreamState, out: DeltaEvent[]): void {
  switch (item.type) {
    case 'text': {
      const d = advance(state, key, item.text)
      if (d) out.push({ type: 'text', text: d })
      return
    }
    case 'think': {
      const d = advance(state, key, item.think)
      if (d) out.push({ type: 'reasoning', text: d })
      return
    }
    case 'code':
    case 'execution_output': {
      const d = advance(state, key, item.type === 'code' ? item.code : item.content)
      if (d && !state.openFences.has(key)) {
        state.openFences.add(key)
        out.push({ type: 'text', text: `\n\`\`\`${FENCE_LANG[item.type]}\n` })
      }
      if (d) out.push({ type: 'text', text: d })
      if (item.status === 'finish') closeFences(state, out, key)
      return
    }
    case 'image': {
      if (item.status !== 'finish' && part.status !== 'finish') return
      for (const img of item.image ?? []) {
        if (!img.image_url || state.emittedImages.has(img.image_url)) continue
        state.emittedImages.add(img.image_url)
        out.push({ type: 'text', text: `\n![image](${img.image_url})\n` })
      }
      return
    }
    case 'quote_result': {
      const list = item.meta_data?.metadata_list ?? part.meta_data?.metadata_list ?? []
      const items: Citation[] = []
      for (const m of list) {
        if (!m.url || state.citedUrls.has(m.url)) continue
        state.citedUrls.add(m.url)
        items.push(m.title ? { url: m.url, title: m.title } : { url: m.url })
      }
      if (items.length) out.push({ type: 'citations', items })
      return
    }
    default:
      return // unknown item types (tool cards, progress markers...) are not fatal
  }
}

/** One SSE `data:` payload → the delta events it adds. */
export function parseGlmEvent(data: string, state: GlmStreamState): DeltaEvent[] {
  if (state.finished) return []
  // Keep-alives and non-JSON lines carry nothing.
  const event = tryJson(data) as GlmEvent | undefined
  if (!event || typeof event !== 'object') return []
  const out: DeltaEvent[] = []
  if (event.conversation_id && !state.conversationId) {
    state.conversationId = event.conversation_id
    out.push({ type: 'conversation', id: event.conversation_id })
  }
  for (const [pi, part] of (event.parts ?? []).entries()) {
    const partKey = part.logic_id ?? part.id ?? String(pi)
    for (const [ci, item] of (part.content ?? []).entries()) itemEvents(item, part, `${partKey}:${ci}`, state, out)
  }
  if (out.some((e) => e.type === 'text' || e.type === 'reasoning')) state.producedOutput = true
  if (event.status === 'finish' || event.status === 'intervene') {
    closeFences(state, out)
    state.finished = true
    if (event.status === 'intervene') {
      const notice = event.last_error?.intervene_text
      if (notice) out.push({ type: 'text', text: notice })
      out.push({ type: 'finish', reason: 'content_filter' })
    } else out.push({ type: 'finish', reason: 'stop' })
  } else if (event.status === 'error') {
    throw streamError(event)
  }
  return out
}

function streamError(event: GlmEvent): UpstreamError {
  const msg = event.last_error?.message ?? event.last_error?.msg ?? 'error status in stream'
  return classifyEnvelope({ message: msg }, 200)
}

export interface StreamOptions {
  /** Sent back as the conversation's parentId: deleting or continuing needs the assistant. */
  assistantId?: string
}

/** Bytes of the SSE body → delta events, ending with exactly one finish. */
export async function* parseGlmStream(
  body: AsyncIterable<Uint8Array | string>,
  options: StreamOptions = {},
): AsyncGenerator<DeltaEvent> {
  const state = newGlmState()
  for await (const sse of readSse(body)) {
    for (const ev of parseGlmEvent(sse.data, state)) {
      if (ev.type === 'conversation' && options.assistantId) yield { ...ev, parentId: options.assistantId }
      else yield ev
    }
    if (state.finished) return
  }
  if (!state.producedOutput) throw protocolError(`${PROVIDER_ID}: stream ended before any answer`, { provider: PROVIDER_ID })
  // The stream closed without its end marker; what arrived is all there is.
  const tail: DeltaEvent[] = []
  closeFences(state, tail)
  yield* tail
  yield { type: 'finish', reason: 'stop' }
}

export interface GlmEnvelope {
  code?: number | string
  status?: number | string
  message?: string
  msg?: string
  result?: Record<string, unknown>
}

export const isSuccess = (e: GlmEnvelope): boolean => Number(e.code) === 0 || Number(e.status) === 0

/** Turn a failed JSON envelope (or HTTP status) into the failure class the pool acts on. */
export function classifyEnvelope(e: GlmEnvelope, httpStatus: number): UpstreamError {
  const message = String(e.message ?? e.msg ?? `HTTP ${httpStatus}`).slice(0, 200)
  const o = { provider: PROVIDER_ID, upstreamStatus: httpStatus }
  const text = `${PROVIDER_ID}: ${message}`
  const code = Number(e.code)
  if (message.includes('40102')) return credentialInvalid(`${PROVIDER_ID}: refresh token expired (${message})`, o)
  if (/\bsign(ature)?\b|x-sign|签名/i.test(message))
    return protocolError(`${PROVIDER_ID}: upstream rejected the X-Sign signature (${message}); the signing may have changed`, o)
  if (code === 401 || httpStatus === 401 || httpStatus === 403) return credentialInvalid(text, o)
  if (code === -2001) return credentialInvalid(`${PROVIDER_ID}: ${message} (-2001 usually means a wrong token)`, o)
  if (httpStatus === 429 || /频繁|too (many|fast|frequent)|rate limit|并发|稍后再试/i.test(message)) return rateLimited(text, o)
  if (httpStatus === 402 || /余额|额度|quota|credit/i.test(message)) return quotaExhausted(text, o)
  return upstreamUnavailable(text, o)
}
