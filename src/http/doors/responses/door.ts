// POST /v1/responses: OpenAI's Responses request in, a `response` object or its event stream out.
// The core chat service runs the turn; this door maps the request, renders, and hands answers the
// client asked to store to the core's ResponsesStore (previous_response_id continues from them).
import { RECORD_API_CHAT } from '../../../core/meter.js'
import type { ChatService } from '../../../core/chat/service.js'
import type { ChatTurn } from '../../../core/chat/turn.js'
import type { BaseRequest } from '../../../core/relay.js'
import { type ResponseOwner, type ResponsesStore, newResponseToken } from '../../../core/responses-store.js'
import type { Logger } from '../../../kit/log.js'
import type { ChatMessage, DeltaEvent, ReasoningRequest } from '../../../kit/types.js'
import { ApiError, openaiError, openaiErrorReply } from '../../errors.js'
import { SSE_HEADERS, type SseOptions } from '../../sse-response.js'
import type { Door, Prepared, Reply } from '../door.js'
import { CLOSED, openTurn, streamFailure, timingHeaders, wholeReply } from '../turn.js'
import { type MappedInput, checkToolTurns, mapInput, referencedIds } from './input.js'
import type { OutputBuilder } from './output.js'
import type { ResponseMeta } from './response.js'
import { ResponseEvents } from './stream.js'
import { chatToolChoice, chatTools, responseFormat } from './tools.js'
import { type ResponsesBody, parseResponsesBody, passthroughOf } from './validate.js'
import { wholeResponse } from './whole.js'

export interface ResponsesDoorOptions {
  chat: ChatService
  pingMs: number
  log: Logger
  store: ResponsesStore
}

export function responsesDoor(o: ResponsesDoorOptions): Door {
  return {
    path: '/v1/responses',
    prefixed: true,
    handle: (req, signal) => handleResponses(o, req, signal),
    error: (err) => openaiErrorReply(err, o.log),
  }
}

function reasoningOf(body: ResponsesBody): ReasoningRequest | undefined {
  const effort = body.reasoning?.effort
  if (!effort) return undefined
  return { effort: effort === 'xhigh' ? 'high' : effort }
}

/** What the turn relays: the instructions first, then the stored history, then this input. */
function chatRequest(body: ResponsesBody, history: ChatMessage[], input: MappedInput) {
  const { tools, namespaces } = chatTools(body.tools)
  const messages: ChatMessage[] = [...(body.instructions ? [{ role: 'system' as const, content: body.instructions }] : []), ...history, ...input.messages]
  if (!messages.length) throw ApiError.badRequest('input: nothing to answer (no messages)', 'input', 'invalid_value')
  checkToolTurns(messages)
  const request: Omit<BaseRequest, 'requestedModel'> = {
    messages,
    stream: body.stream === true,
    extra: passthroughOf(body, tools.length > 0),
    temperature: body.temperature ?? undefined,
    top_p: body.top_p ?? undefined,
    max_tokens: body.max_output_tokens ?? undefined,
    tools: tools.length ? tools : undefined,
    tool_choice: chatToolChoice(body.tool_choice, tools),
    response_format: responseFormat(body.text?.format),
    reasoning: reasoningOf(body),
    user: body.user ?? undefined,
  }
  return { request, namespaces }
}

async function handleResponses(o: ResponsesDoorOptions, req: Prepared, signal: AbortSignal): Promise<Reply> {
  const body = parseResponsesBody(req.body)
  const owner: ResponseOwner = { keyId: req.caller.keyId, userId: req.caller.userId }
  const token = newResponseToken()
  const previousId = body.previous_response_id ?? null
  const history = previousId ? await o.store.history(previousId, owner) : []
  if (!history) {
    throw new ApiError(404, `Previous response with id '${previousId}' not found.`, 'invalid_request_error', 'previous_response_not_found', 'previous_response_id')
  }
  const referenced = await o.store.items(referencedIds(body.input), owner)
  const input = mapInput(body.input, (id) => referenced.get(id), token)
  const { request, namespaces } = chatRequest(body, history, input)
  const turn = await openTurn(o.chat, req, signal, { model: body.model, request, recordType: RECORD_API_CHAT })
  if (!turn) return CLOSED
  const headers = timingHeaders(turn)
  const store = body.store !== false
  const meta: ResponseMeta = { id: `resp_${token}`, createdAt: Math.floor(Date.now() / 1000), model: turn.model, body, store }
  const options = { token, reasoning: turn.reasoning, namespaces }
  /** Keep the answer for previous_response_id and GET; a failed write costs the client only that. */
  const keep = async (response: Record<string, unknown>, builder: OutputBuilder) => {
    if (!store) return
    try {
      await o.store.save({ id: meta.id, owner, previousId, inputItems: input.items, messages: input.messages, output: builder.chatMessages(), response })
    } catch (err) {
      o.log.error(`could not store response ${meta.id}: ${(err as Error).message}`)
    }
  }

  if (!body.stream) {
    return wholeReply(turn, async () => {
      const { response, builder } = await wholeResponse(turn, meta, options)
      await keep(response, builder)
      return { kind: 'json', status: 200, headers, body: response }
    })
  }
  return { kind: 'sse', options: streamOptions(o, turn, headers, new ResponseEvents(meta, options), keep) }
}

function streamOptions(
  o: ResponsesDoorOptions,
  turn: ChatTurn,
  headers: Record<string, string>,
  events: ResponseEvents,
  keep: (response: Record<string, unknown>, builder: OutputBuilder) => Promise<void>,
): SseOptions<DeltaEvent> {
  return {
    headers: { ...SSE_HEADERS, ...headers },
    pingMs: o.pingMs,
    events: turn.events(),
    handlers: {
      render: (e) => events.write(e),
      async end() {
        const response = events.close(turn.usage())
        await keep(response, events.builder)
        return events.end(response)
      },
      fail(err) {
        const api = openaiError(streamFailure(turn, err))
        return events.fail({ code: api.code ?? api.type, message: api.message }, turn.usage())
      },
    },
  }
}
