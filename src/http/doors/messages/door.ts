// POST /v1/messages and POST /v1/messages/count_tokens: Anthropic's Messages API in front of the
// core chat service, for the Anthropic SDKs and Claude Code. The core runs the turn; this door
// parses, renders and answers failures in Anthropic's error shape.
import { RECORD_API_CHAT } from '../../../core/meter.js'
import type { ChatService } from '../../../core/chat/service.js'
import type { ChatTurn } from '../../../core/chat/turn.js'
import { collectEvents } from '../../../core/collect.js'
import { randomId } from '../../../core/ids.js'
import type { Logger } from '../../../kit/log.js'
import { estimatePromptTokens, estimateTextTokens } from '../../../kit/tokens.js'
import type { DeltaEvent } from '../../../kit/types.js'
import { SSE_HEADERS, type SseOptions } from '../../sse-response.js'
import type { Door, Prepared, Reply } from '../door.js'
import { CLOSED, openTurn, streamFailure, timingHeaders, wholeReply } from '../turn.js'
import { parseCountBody, parseMessagesBody } from './body.js'
import { anthropicErrorOf, errorReply } from './errors.js'
import { messageJson } from './message.js'
import { toBaseRequest, toPrompt } from './request.js'
import { MessageStreamWriter, PING_EVENT, errorEvent } from './stream.js'

export interface MessagesDoorOptions {
  chat: ChatService
  pingMs: number
  log: Logger
}

/** Both routes; count_tokens answers from the tokenizer and bills nothing. */
export function messagesDoors(o: MessagesDoorOptions): Door[] {
  const error = (err: unknown) => errorReply(err, o.log)
  return [
    { path: '/v1/messages', prefixed: true, handle: (req, signal) => handleMessages(o, req, signal), error },
    { path: '/v1/messages/count_tokens', prefixed: true, handle: async (req) => countTokens(o, req), error },
  ]
}

async function countTokens(o: MessagesDoorOptions, req: Prepared): Promise<Reply> {
  const body = parseCountBody(req.body)
  await o.chat.checkModel(req.caller, body.model)
  const { messages, tools } = toPrompt(body)
  const toolTokens = tools.length ? estimateTextTokens(JSON.stringify(tools)) : 0
  return { kind: 'json', status: 200, body: { input_tokens: estimatePromptTokens(messages) + toolTokens } }
}

async function handleMessages(o: MessagesDoorOptions, req: Prepared, signal: AbortSignal): Promise<Reply> {
  const body = parseMessagesBody(req.body)
  const turn = await openTurn(o.chat, req, signal, { model: body.model, request: toBaseRequest(body), recordType: RECORD_API_CHAT })
  if (!turn) return CLOSED
  const headers = timingHeaders(turn)
  const id = randomId('msg_')
  if (body.stream) return { kind: 'sse', options: streamOptions(o, turn, headers, id) }
  return wholeReply(turn, async () => {
    const collected = await collectEvents(turn.events())
    return { kind: 'json', status: 200, headers, body: messageJson(collected, { id, model: turn.model, reasoning: turn.reasoning, usage: turn.usage() }) }
  })
}

function streamOptions(o: MessagesDoorOptions, turn: ChatTurn, headers: Record<string, string>, id: string): SseOptions<DeltaEvent> {
  const writer = new MessageStreamWriter({ id, model: turn.model, reasoning: turn.reasoning })
  // message_start carries the prompt's size as far as it is known when the first event arrives:
  // the upstream's figure if it came already, else 0. Estimating here would tokenize the whole
  // prompt of every stream (some 30 ms of CPU for Claude Code's 50 KB) even when the upstream
  // reports usage at the end; message_delta carries the final count, and clients take it from there.
  const head = () => (writer.started ? '' : writer.start(turn.relay.tally.upstreamUsage?.promptTokens ?? 0))
  return {
    headers: { ...SSE_HEADERS, ...headers },
    pingMs: o.pingMs,
    ping: PING_EVENT,
    events: turn.events(),
    handlers: {
      render: (e) => head() + writer.write(e),
      end: () => head() + writer.end(turn.usage()),
      fail(err) {
        const e = anthropicErrorOf(streamFailure(turn, err), o.log)
        return errorEvent({ type: e.type, message: e.message })
      },
    },
  }
}
