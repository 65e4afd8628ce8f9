// One chat turn: session (new or continued), proof of work, completion stream, automatic
// /chat/continue while the answer is INCOMPLETE, and the events the core expects.
import { CITATION_MARKERS, CitationStripper } from '../../src/kit/citations.js'
import { invalidRequest, notSupported, rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import type { HttpResponse } from '../../src/kit/http.js'
import { imageUrlsOf, lastUserMessage } from '../../src/kit/messages.js'
import { readSse } from '../../src/kit/sse.js'
import type { CallContext, ChatRequest, DeltaEvent, FinishReason } from '../../src/kit/types.js'
import { withSessionToken } from './auth.js'
import { type DeepseekError, type DeepseekSettings, createPowChallenge, createSession, openStream, powHeaderValue } from './client.js'
import { CODES, MODEL_TABLE, PATHS, PROVIDER_ID, type ResponseStatus } from './constants.js'
import { powPrefix } from './hash.js'
import { type ParserState, citationsOf, createParserState, parseEvent, resumeState } from './parse.js'
import type { PowPool } from './pow-pool.js'
import { buildPrompt, newestUserText } from './prompt.js'

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

/** Solve a fresh challenge for `path` and open the stream; a rejected proof gets one more try. */
async function streamWithPow(ctx: Ctx, pool: PowPool, token: string, path: string, body: unknown): Promise<HttpResponse> {
  for (let attempt = 0; ; attempt++) {
    const challenge = await createPowChallenge(ctx, token, path)
    const prefix = powPrefix(challenge.salt, challenge.expire_at)
    const task = { challenge: challenge.challenge, prefix, difficulty: challenge.difficulty }
    const answer = await pool.solve(task, ctx.signal)
    if (answer === null) throw upstreamUnavailable(`${PROVIDER_ID}: PoW challenge has no answer in range`, { provider: PROVIDER_ID })
    try {
      return await openStream(ctx, path, token, body, powHeaderValue(challenge, answer))
    } catch (err) {
      if (attempt > 0 || !(err as DeepseekError).powRejected) throw err
      ctx.log.debug(`${PROVIDER_ID}: proof of work rejected, retrying with a new challenge`)
    }
  }
}

interface Opened {
  sessionId: string
  res: HttpResponse
}

async function openConversation(req: ChatRequest, ctx: Ctx, pool: PowPool): Promise<Opened> {
  const model = MODEL_TABLE[req.model]
  if (!model) throw invalidRequest(`${PROVIDER_ID}: unknown model ${req.model}`, { provider: PROVIDER_ID })
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
      if (!prompt) throw invalidRequest(`${PROVIDER_ID}: no user message to send`, { provider: PROVIDER_ID })
      const body = {
        chat_session_id: sessionId,
        parent_message_id: parent,
        model_type: model.modelType,
        prompt,
        ref_file_ids: [],
        thinking_enabled: model.thinking && !req.flags.has('nothinking'),
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

export async function* chat(req: ChatRequest, ctx: Ctx, pool: PowPool): AsyncGenerator<DeltaEvent> {
  if (imageUrlsOf(lastUserMessage(req.messages)?.content ?? null).length)
    throw notSupported(`${PROVIDER_ID}: image input is not supported`, { provider: PROVIDER_ID })
  let { sessionId, res } = await openConversation(req, ctx, pool)
  const keepMarkers = req.flags.has('cite')
  const markers = [CITATION_MARKERS.citation, CITATION_MARKERS.reference]
  const strippers = { text: new CitationStripper(markers, keepMarkers), reasoning: new CitationStripper(markers, keepMarkers) }
  let state: ParserState = createParserState()
  let messageId: number | undefined
  let announced = false
  let produced = false
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
  yield { type: 'finish', reason: state.status ? FINISH_REASONS[state.status] : 'stop' }
}
