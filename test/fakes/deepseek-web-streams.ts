// Completion streams as chat.deepseek.com writes them, in each generation the spec lists.
export type Generation = 'fragments' | 'plain-paths' | 'choices'
/** `classic`: finish and title events before close (2025 captures); `2026`: neither (the 2026-05 capture). */
export type Closing = 'classic' | '2026'

export interface AnswerPlan {
  sessionId: string
  requestMessageId: number
  responseMessageId: number
  reasoning: string
  answer: string
  sources: { url: string; title: string }[]
  /** Stop with INCOMPLETE after this many answer characters (the rest comes from /continue). */
  stopAfter?: number
  modelType: string
  /** Characters of the prompt: the fake's stand-in for prompt tokens in accumulated_token_usage. */
  promptChars?: number
  /** Default `classic`. */
  closing?: Closing
}

/** The fake counts a character as a token: prompt plus everything it writes. */
export const accumulatedTokens = (plan: AnswerPlan) => (plan.promptChars ?? 0) + [...plan.reasoning].length + [...plan.answer].length

export function sseEvent(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`
}

/** Small deltas, cut on code points, so multi-byte text crosses write boundaries. */
export function pieces(text: string, size = 3): string[] {
  const chars = [...text]
  const out: string[] = []
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''))
  return out
}

/** The first delta names its path (and maybe op); later ones are bare `{"v": ...}`. */
const deltas = (parts: string[], first: (v: string) => object) => parts.map((v, i) => sseEvent(i === 0 ? first(v) : { v }))

const searchResults = (plan: AnswerPlan) =>
  plan.sources.map((s, i) => ({ url: s.url, title: s.title, snippet: '…', cite_index: i + 1 }))

function opening(plan: AnswerPlan): string[] {
  return [
    sseEvent({ request_message_id: plan.requestMessageId, response_message_id: plan.responseMessageId, model_type: plan.modelType }, 'ready'),
    sseEvent({ updated_at: 1775323022.6001759 }, 'update_session'),
  ]
}

function closing(plan: AnswerPlan, title: string): string[] {
  const close = sseEvent({ click_behavior: 'none', auto_resume: false }, 'close')
  const updated = sseEvent({ updated_at: 1775323030.1 }, 'update_session')
  if (plan.closing === '2026') return [updated, close]
  return [sseEvent({}, 'finish'), updated, sseEvent({ content: title }, 'title'), close]
}

/** Generation 2, fragment paths: snapshot, APPEND and bare-v deltas, BATCH, status. */
export function fragmentsStream(plan: AnswerPlan): string[] {
  const out = opening(plan)
  const fragments: unknown[] = []
  const snapshot = { message_id: plan.responseMessageId, parent_id: plan.requestMessageId, status: 'WIP', accumulated_token_usage: 0, fragments }
  if (plan.sources.length) fragments.push({ id: 1, type: 'TOOL_SEARCH', queries: ['q'], results: [] })
  out.push(sseEvent({ v: { response: snapshot } }))
  if (plan.sources.length) out.push(sseEvent({ p: 'response/fragments/-1/results', o: 'SET', v: searchResults(plan) }))
  if (plan.reasoning) {
    const [first = '', ...rest] = pieces(plan.reasoning)
    out.push(sseEvent({ p: 'response/fragments', o: 'APPEND', v: [{ id: 2, type: 'THINK', content: first }] }))
    out.push(...deltas(rest, (v) => ({ p: 'response/fragments/-1/content', o: 'APPEND', v })))
    out.push(sseEvent({ p: 'response/fragments/-1/elapsed_secs', o: 'SET', v: 1.25 }))
  }
  const answer = plan.stopAfter === undefined ? plan.answer : [...plan.answer].slice(0, plan.stopAfter).join('')
  const [first = '', ...rest] = pieces(answer)
  out.push(sseEvent({ p: 'response/fragments', o: 'APPEND', v: [{ id: 3, type: 'RESPONSE', content: first }] }))
  out.push(...deltas(rest, (v) => ({ p: 'response/fragments/-1/content', v })))
  const status = plan.stopAfter === undefined ? 'FINISHED' : 'INCOMPLETE'
  const usage = { p: 'accumulated_token_usage', v: accumulatedTokens(plan) }
  out.push(sseEvent({ p: 'response', o: 'BATCH', v: [usage, { p: 'quasi_status', v: status }] }))
  out.push(sseEvent({ p: 'response/status', o: 'SET', v: status }))
  return status === 'FINISHED' ? [...out, ...closing(plan, '标题')] : out
}

/** What /chat/continue streams: the response so far as a snapshot, then the rest. */
export function continueStream(plan: AnswerPlan): string[] {
  const said = [...plan.answer].slice(0, plan.stopAfter ?? 0).join('')
  const rest = [...plan.answer].slice(plan.stopAfter ?? 0).join('')
  const fragments = [{ id: 3, type: 'RESPONSE', content: said }]
  return [
    ...opening(plan),
    sseEvent({ v: { response: { message_id: plan.responseMessageId, status: 'WIP', fragments } } }),
    ...deltas(pieces(rest), (v) => ({ p: 'response/fragments/-1/content', o: 'APPEND', v })),
    sseEvent({ p: 'response/status', o: 'SET', v: 'FINISHED' }),
    ...closing(plan, '续写'),
  ]
}

/** Generation 2, the older path style: response/thinking_content and response/content, whose
 * answers mark sources as [reference:N] rather than [citation:N]. */
export function plainPathsStream(plan: AnswerPlan): string[] {
  const answer = plan.answer.replace(/\[citation:(\d+)\]/g, '[reference:$1]')
  const out = opening(plan)
  const snapshot = { message_id: plan.responseMessageId, status: 'WIP', content: '', thinking_content: '', search_results: null }
  out.push(sseEvent({ v: { response: snapshot } }))
  if (plan.sources.length) out.push(sseEvent({ p: 'response/search_results', o: 'SET', v: searchResults(plan) }))
  out.push(...deltas(pieces(plan.reasoning), (v) => ({ p: 'response/thinking_content', v })))
  out.push(...deltas(pieces(answer), (v) => ({ p: 'response/content', o: 'APPEND', v })))
  out.push(sseEvent({ p: 'response/status', o: 'SET', v: 'FINISHED' }))
  return [...out, ...closing(plan, '标题')]
}

/** Generation 1 (to early 2025): OpenAI-like choices/delta, ending with [DONE]. */
export function choicesStream(plan: AnswerPlan): string[] {
  const line = (delta: unknown, finish: string | null = null) =>
    sseEvent({ chat_session_id: plan.sessionId, message_id: plan.responseMessageId, choices: [{ index: 0, delta, finish_reason: finish }] })
  const out: string[] = []
  if (plan.sources.length) out.push(line({ type: 'search_result', search_results: searchResults(plan) }))
  for (const p of pieces(plan.reasoning)) out.push(line({ type: 'thinking', content: p }))
  for (const p of pieces(plan.answer)) out.push(line({ type: 'text', content: p }))
  out.push(line({ type: 'text', content: '' }, 'stop'))
  out.push(sseEvent('[DONE]'))
  return out
}

export const STREAM_BUILDERS: Record<Generation, (plan: AnswerPlan) => string[]> = {
  fragments: fragmentsStream,
  'plain-paths': plainPathsStream,
  choices: choicesStream,
}
