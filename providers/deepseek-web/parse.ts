// DeepSeek completion streams → items, without I/O. Three shapes are read:
// - generation 1 (to early 2025): OpenAI-like `choices[].delta` with type thinking/text/search_result;
// - generation 2 patches on `response/fragments/*` (THINK / RESPONSE / TOOL_SEARCH ...);
// - generation 2 patches on the older `response/content` + `response/thinking_content` paths.
// Patch rules (from the site's own client): `p` and `o` persist across events, `o` is SET, APPEND
// or BATCH (sub-patches relative to the parent path), and a bare `{"v": ...}` reuses both.
import { CumulativeText } from '../../src/kit/cumulative.js'
import { type Json, isObject, tryJson } from '../../src/kit/json.js'
import type { SseEvent } from '../../src/kit/sse.js'
import type { Citation } from '../../src/kit/types.js'
import type { ResponseStatus } from './constants.js'

export type StreamItem =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'ids'; sessionId?: string; requestMessageId?: number; responseMessageId?: number }
  | { type: 'status'; status: ResponseStatus }
  /** `event: hint` of type error: the answer stops (rate limit, input too long...). */
  | { type: 'hint'; reason: string; message: string }
  /** `event: close` (generation 2) or `data: [DONE]` (generation 1): nothing more will come. */
  | { type: 'end' }

interface Fragment {
  type: string
  /** Content already emitted, so a snapshot repeated by /continue adds only news. */
  sent: CumulativeText
}

export interface ParserState {
  path: string | undefined
  op: string
  fragments: Fragment[]
  /** Text emitted on the older path style. */
  plain: { content: CumulativeText; thinking: CumulativeText }
  citations: Map<string, Citation>
  /** `accumulated_token_usage` (the end-of-answer BATCH): one total for the message; chat.ts splits it. */
  accumulatedTokens: number | undefined
  status: ResponseStatus | undefined
}

export function createParserState(): ParserState {
  return {
    path: undefined,
    op: 'SET',
    fragments: [],
    plain: { content: new CumulativeText(), thinking: new CumulativeText() },
    citations: new Map(),
    accumulatedTokens: undefined,
    status: undefined,
  }
}

/** State for the stream of a /chat/continue call: what was already said stays said. */
export function resumeState(previous: ParserState): ParserState {
  const { fragments, plain, citations, accumulatedTokens } = previous
  return { ...createParserState(), fragments, plain, citations, accumulatedTokens }
}

export const citationsOf = (state: ParserState): Citation[] => [...state.citations.values()]

const TERMINAL_STATUSES = new Set<string>(['FINISHED', 'INCOMPLETE', 'CONTENT_FILTER'])
const REASONING_FRAGMENTS = new Set(['THINK'])
const ANSWER_FRAGMENTS = new Set(['RESPONSE', 'ANSWER', 'TEMPLATE_RESPONSE'])
const FRAGMENT_FIELD = /^response\/fragments\/(-?\d+)\/(\w+)$/

const asNumber = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

/** One SSE event → the items it carries. Unknown events and fields are ignored. */
export function parseEvent(state: ParserState, event: SseEvent): StreamItem[] {
  const out: StreamItem[] = []
  if (event.event === 'close' || event.data === '[DONE]') return [{ type: 'end' }]
  const data = tryJson(event.data)
  if (data === undefined) return out
  switch (event.event) {
    case 'ready':
      if (isObject(data)) out.push(idsItem({ requestMessageId: data.request_message_id, responseMessageId: data.response_message_id }))
      return out
    case 'hint':
      if (isObject(data) && data.type === 'error')
        out.push({ type: 'hint', reason: String(data.finish_reason ?? 'error'), message: String(data.content ?? '') })
      return out
    case undefined:
    case 'message':
      break
    default:
      return out // update_session, finish, title, auto_tts_capability and anything new
  }
  if (!isObject(data)) return out
  if (data.code === 'content_filter') setStatus(state, 'CONTENT_FILTER', out)
  else if (Array.isArray(data.choices)) parseGeneration1(state, data, out)
  else if ('v' in data) parsePatch(state, data, out)
  return out
}

function idsItem(raw: { sessionId?: unknown; requestMessageId?: unknown; responseMessageId?: unknown }): StreamItem {
  const item: StreamItem = { type: 'ids' }
  if (typeof raw.sessionId === 'string') item.sessionId = raw.sessionId
  const request = asNumber(raw.requestMessageId)
  const response = asNumber(raw.responseMessageId)
  if (request !== undefined) item.requestMessageId = request
  if (response !== undefined) item.responseMessageId = response
  return item
}

function setStatus(state: ParserState, status: unknown, out: StreamItem[]): void {
  if (typeof status !== 'string' || !TERMINAL_STATUSES.has(status)) return
  state.status = status as ResponseStatus
  out.push({ type: 'status', status: state.status })
}

function addCitations(state: ParserState, results: unknown): void {
  if (!Array.isArray(results)) return
  for (const r of results) {
    if (!isObject(r) || typeof r.url !== 'string' || !r.url || state.citations.has(r.url)) continue
    state.citations.set(r.url, typeof r.title === 'string' && r.title ? { url: r.url, title: r.title } : { url: r.url })
  }
}

function emit(out: StreamItem[], kind: 'text' | 'reasoning', text: string): void {
  if (text) out.push({ type: kind, text })
}

function parseGeneration1(state: ParserState, data: Json, out: StreamItem[]): void {
  if (data.chat_session_id !== undefined || data.message_id !== undefined)
    out.push(idsItem({ sessionId: data.chat_session_id, responseMessageId: data.message_id }))
  for (const choice of data.choices as unknown[]) {
    if (!isObject(choice)) continue
    const delta = isObject(choice.delta) ? choice.delta : {}
    const content = typeof delta.content === 'string' ? delta.content : ''
    if (delta.type === 'search_result') addCitations(state, delta.search_results)
    else if (delta.type === 'thinking') emit(out, 'reasoning', content)
    else emit(out, 'text', content)
    if (choice.finish_reason === 'stop') setStatus(state, 'FINISHED', out)
    else if (choice.finish_reason === 'content_filter') setStatus(state, 'CONTENT_FILTER', out)
  }
}

function parsePatch(state: ParserState, data: Json, out: StreamItem[]): void {
  if (typeof data.p === 'string') state.path = data.p
  if (typeof data.o === 'string') state.op = data.o
  const value = data.v
  if (state.path === undefined || state.path === '') {
    if (isObject(value) && isObject(value.response)) applyResponse(state, value.response, out)
    else if (isPatchList(value)) applyBatch(state, 'response', value, out)
    return
  }
  if (state.op === 'BATCH' && Array.isArray(value)) applyBatch(state, state.path, value, out)
  // A bare list of patches after content deltas: the content-filter tail, relative to `response`.
  else if (isPatchList(value) && !state.path.endsWith('fragments')) applyBatch(state, 'response', value, out)
  else applyAt(state, state.path, state.op, value, out)
}

const isPatchList = (v: unknown): v is Json[] => Array.isArray(v) && v.length > 0 && v.every((x) => isObject(x) && 'p' in x)

/** BATCH sub-patches: paths relative to the parent, each read by a fresh parser (no persistence). */
function applyBatch(state: ParserState, parent: string, patches: unknown[], out: StreamItem[]): void {
  for (const patch of patches) {
    if (!isObject(patch) || typeof patch.p !== 'string') continue
    const path = parent ? `${parent}/${patch.p}` : patch.p
    const op = typeof patch.o === 'string' ? patch.o : 'SET'
    if (op === 'BATCH' && Array.isArray(patch.v)) applyBatch(state, path, patch.v, out)
    else applyAt(state, path, op, patch.v, out)
  }
}

function applyAt(state: ParserState, path: string, op: string, value: unknown, out: StreamItem[]): void {
  switch (path) {
    case 'response':
      if (isObject(value)) applyResponse(state, value, out)
      return
    case 'response/fragments':
      if (op !== 'APPEND') state.fragments = []
      for (const f of Array.isArray(value) ? value : [value]) if (isObject(f)) addFragment(state, f, out)
      return
    case 'response/content':
    case 'response/thinking_content':
      if (typeof value === 'string') appendPlain(state, path === 'response/content' ? 'content' : 'thinking', value, out)
      return
    case 'response/search_results':
      addCitations(state, value)
      return
    case 'response/status':
      setStatus(state, value, out)
      return
    case 'response/accumulated_token_usage':
      state.accumulatedTokens = asNumber(value) ?? state.accumulatedTokens
      return
  }
  const field = FRAGMENT_FIELD.exec(path)
  if (!field) return // elapsed_secs, search_status, quasi_status, conversation_mode...
  const index = Number(field[1])
  const fragment = state.fragments[index < 0 ? state.fragments.length + index : index]
  if (!fragment) return
  // Every string sent to a content path is new text: SET only ever arrives on an empty content.
  if (field[2] === 'content' && typeof value === 'string') appendFragment(fragment, value, out)
  else if (field[2] === 'results') addCitations(state, value)
}

function fragmentKind(fragment: Fragment): 'text' | 'reasoning' | undefined {
  if (REASONING_FRAGMENTS.has(fragment.type)) return 'reasoning'
  return ANSWER_FRAGMENTS.has(fragment.type) ? 'text' : undefined
}

function emitFragment(fragment: Fragment, text: string, out: StreamItem[]): void {
  const kind = fragmentKind(fragment)
  if (kind) emit(out, kind, text)
}

const appendFragment = (fragment: Fragment, text: string, out: StreamItem[]) => emitFragment(fragment, fragment.sent.append(text), out)

function addFragment(state: ParserState, raw: Json, out: StreamItem[]): void {
  const fragment: Fragment = { type: String(raw.type ?? ''), sent: new CumulativeText() }
  state.fragments.push(fragment)
  if (typeof raw.content === 'string') appendFragment(fragment, raw.content, out)
  addCitations(state, raw.results)
}

const plainKind = (which: 'content' | 'thinking') => (which === 'content' ? 'text' : 'reasoning')

function appendPlain(state: ParserState, which: 'content' | 'thinking', text: string, out: StreamItem[]): void {
  emit(out, plainKind(which), state.plain[which].append(text))
}

function snapshotPlain(state: ParserState, which: 'content' | 'thinking', snapshot: string, out: StreamItem[]): void {
  emit(out, plainKind(which), state.plain[which].next(snapshot))
}

/** A whole `response` object (the first event, or a repeat after /continue): emit only what is new. */
function applyResponse(state: ParserState, response: Json, out: StreamItem[]): void {
  if (Array.isArray(response.fragments)) {
    response.fragments.forEach((raw, i) => {
      if (!isObject(raw)) return
      const known = state.fragments[i]
      if (!known || known.type !== raw.type) {
        state.fragments.splice(i)
        addFragment(state, raw, out)
        return
      }
      if (typeof raw.content === 'string') emitFragment(known, known.sent.next(raw.content), out)
      addCitations(state, raw.results)
    })
  }
  if (typeof response.thinking_content === 'string') snapshotPlain(state, 'thinking', response.thinking_content, out)
  if (typeof response.content === 'string') snapshotPlain(state, 'content', response.content, out)
  addCitations(state, response.search_results)
  if (response.accumulated_token_usage !== undefined) state.accumulatedTokens = asNumber(response.accumulated_token_usage)
  setStatus(state, response.status, out)
}
