// One chat turn: session (new or continued), proof of work, completion stream, automatic
// /chat/continue while the answer is INCOMPLETE, and the events the core expects.
import { CITATION_MARKERS, CitationStripper } from '../../src/kit/citations.js'
import { invalidRequest, notSupported, rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import type { HttpResponse } from '../../src/kit/http.js'
import { imageUrlsOf, lastUserMessage } from '../../src/kit/messages.js'
import { readSse } from '../../src/kit/sse.js'
import { estimateTextTokens } from '../../src/kit/tokens.js'
import type { CallContext, ChatRequest, DeltaEvent, FinishReason } from '../../src/kit/types.js'
import { withSessionToken } from './auth.js'
import { type DeepseekError, type DeepseekSettings, createSession, openStream } from './client.js'
import { CODES, MODEL_TABLE, PATHS, PROVIDER_ID, type ResponseStatus } from './constants.js'
import { type ParserState, citationsOf, createParserState, parseEvent, resumeState } from './parse.js'
import { withPow } from './pow-call.js'
import type { PowPool } from './pow-pool.js'
import { buildPrompt, newestUserText } from './prompt.js'
import { uploadImages } from './upload.js'

type Ctx = CallContext<DeepseekSettings>

/** Conversation ids are `session@message` (the free-api convention), so the id alone can continue. */
export function parseConversationId(id: string): { sessionId: string; messageId?: number } {
  const [sessionId = '', message] = id.split('@')
  return message && /^\d+$/.test(message) ? { sessionId, messageId: Number(message) } : { sessionId }
}

function conversationEvent(sessionId: string, messageId: number | undefined): DeltaEvent {
  if (messageId === undefined) return { type: 'conversation', id: sessionId }
  return { type: 'conversation', id: `${sessionId}@${messageId}`, parentId: String(messageId) }
}

/** Open a completion or continue stream behind a proof of work for that path. */
function streamWithPow(ctx: Ctx, pool: PowPool, token: string, path: string, body: { chat_session_id: string }): Promise<HttpResponse> {
  return withPow(ctx, pool, token, path, body.chat_session_id, (pow) => openStream(ctx, path, token, body, pow))
}

interface Opened {
  sessionId: string
  res: HttpResponse
}

async function openConversation(req: ChatRequest, ctx: Ctx, pool: PowPool, images: string[]): Promise<Opened> {
  const model = MODEL_TABLE[req.model]!
  const thinking = model.thinking && !req.flags.has('nothinking')
  const existing = req.continueFrom ?? (req.conversationId ? { conversationId: req.conversationId } : undefined)
  const open = (continued: boolean) =>
    withSessionToken(ctx, async (token) => {
      let sessionId: string
      let parent: number | null = null
      let prompt: string
      if (continued && existing) {
        const parsed = parseConversationId(existing.conversationId)
        sessionId = parsed.sessionId
        const parentId = existing.parentId !== undefined ? Number(existing.parentId) : parsed.messageId
        parent = parentId !== undefined && Number.isFinite(parentId) ? parentId : null
        prompt = newestUserText(req.messages)
      } else {
        sessionId = await createSession(ctx, token)
        prompt = buildPrompt(req.messages)
      }
      if (!prompt && !images.length) throw invalidRequest(`${PROVIDER_ID}: no user message to send`, { provider: PROVIDER_ID })
      const files = await uploadImages(ctx, pool, { token, sessionId, thinking }, images)
      const body = {
        chat_session_id: sessionId,
        parent_message_id: parent,
        // The browser sends null on later turns (the session keeps its mode), "vision" with files.
        model_type: files.length ? 'vision' : continued ? null : model.modelType,
        prompt,
        ref_file_ids: files,
        thinking_enabled: thinking,
        search_enabled: req.flags.has('search'),
        preempt: false,
      }
      return { sessionId, res: await streamWithPow(ctx, pool, token, PATHS.completion, body) }
    })
  if (!existing) return open(false)
  try {
    return await open(true)
  } catch (err) {
    // A remembered conversation deleted upstream: start over with the whole history.
    const biz = (err as DeepseekError).bizCode
    if (!req.continueFrom || biz === undefined || !(CODES.staleConversation as readonly number[]).includes(biz)) throw err
    ctx.log.debug(`${PROVIDER_ID}: remembered conversation is gone upstream, starting a new one`)
    return open(false)
  }
}

function hintError(reason: string, message: string): Error {
  const text = `${PROVIDER_ID}: ${message || reason}`
  if (reason === 'rate_limit_reached') return rateLimited(text, { provider: PROVIDER_ID })
  if (reason === 'input_exceeds_limit') return invalidRequest(text, { provider: PROVIDER_ID })
  return upstreamUnavailable(text, { provider: PROVIDER_ID })
}

const FINISH_REASONS: Record<ResponseStatus, FinishReason> = {
  FINISHED: 'stop',
  CONTENT_FILTER: 'content_filter',
  INCOMPLETE: 'length',
}

/**
 * The upstream's own count, when the stream carried `accumulated_token_usage`: one total for the
 * message, split by estimating the answer we streamed (exact text) and leaving the rest as the prompt.
 */
function usageEvent(total: number | undefined, answer: string): DeltaEvent[] {
  // The first snapshot says 0 before anything is counted: only a real count is usage.
  if (!total) return []
  const completionTokens = Math.min(estimateTextTokens(answer), total)
  return [{ type: 'usage', promptTokens: total - completionTokens, completionTokens }]
}

export async function* chat(req: ChatRequest, ctx: Ctx, pool: PowPool): AsyncGenerator<DeltaEvent> {
  const model = MODEL_TABLE[req.model]
  if (!model) throw invalidRequest(`${PROVIDER_ID}: unknown model ${req.model}`, { provider: PROVIDER_ID })
  const images = imageUrlsOf(lastUserMessage(req.messages)?.content ?? null)
  if (images.length && model.modelType !== 'vision')
    throw notSupported(`${PROVIDER_ID}: ${req.model} takes no images; use deepseek-vision`, { provider: PROVIDER_ID })
  let { sessionId, res } = await openConversation(req, ctx, pool, images)
  const keepMarkers = req.flags.has('cite')
  const markers = [CITATION_MARKERS.citation, CITATION_MARKERS.reference]
  const strippers = { text: new CitationStripper(markers, keepMarkers), reasoning: new CitationStripper(markers, keepMarkers) }
  let state: ParserState = createParserState()
  let messageId: number | undefined
  let announced = false
  let produced = false
  let said = ''
  for (let round = 0; ; round++) {
    let ended = false
    for await (const event of readSse(res.body)) {
      for (const item of parseEvent(state, event)) {
        if (item.type === 'end') {
          ended = true
        } else if (item.type === 'ids') {
          messageId = item.responseMessageId ?? messageId
          sessionId = item.sessionId ?? sessionId
        } else if (item.type === 'hint') {
          throw hintError(item.reason, item.message)
        } else if (item.type === 'text' || item.type === 'reasoning') {
          if (!announced) yield conversationEvent(sessionId, messageId)
          announced = true
          produced = true
          // The answer starts: anything the reasoning stripper held back was not a marker.
          const heldReasoning = item.type === 'text' ? strippers.reasoning.flush() : ''
          if (heldReasoning) yield { type: 'reasoning', text: heldReasoning }
          said += item.text
          const text = strippers[item.type].push(item.text)
          if (text) yield { type: item.type, text }
        }
      }
      // Late search results may follow the status, so only the stream's own end stops reading.
      if (ended) break
    }
    if (state.status !== 'INCOMPLETE' || round >= ctx.settings.max_continues || messageId === undefined) break
    const resume = { chat_session_id: sessionId, message_id: messageId, fallback_to_resume: true }
    res = await withSessionToken(ctx, (token) => streamWithPow(ctx, pool, token, PATHS.continue, resume))
    state = resumeState(state)
  }
  if (!state.status && !produced)
    throw upstreamUnavailable(`${PROVIDER_ID}: stream ended before any answer`, { provider: PROVIDER_ID })
  if (!state.status) ctx.log.warn(`${PROVIDER_ID}: stream ended without a final status; treating it as finished`)
  for (const kind of ['reasoning', 'text'] as const) {
    const rest = strippers[kind].flush()
    if (rest) yield { type: kind, text: rest }
  }
  if (!announced) yield conversationEvent(sessionId, messageId)
  const citations = citationsOf(state)
  if (citations.length) yield { type: 'citations', items: citations }
  yield* usageEvent(state.accumulatedTokens, said)
  yield { type: 'finish', reason: state.status ? FINISH_REASONS[state.status] : 'stop' }
}
