// POST /v1/chat/completions: OpenAI's chat request in, one completion or a chunk stream out.
// The core chat service runs the turn; this door only parses and renders.
import type { ChatService } from '../../../core/chat/service.js'
import type { ChatTurn } from '../../../core/chat/turn.js'
import { collectEvents } from '../../../core/collect.js'
import { randomId } from '../../../core/ids.js'
import { RECORD_API_CHAT } from '../../../core/meter.js'
import type { Logger } from '../../../kit/log.js'
import type { DeltaEvent } from '../../../kit/types.js'
import { ApiError, openaiError, openaiErrorReply } from '../../errors.js'
import { SSE_HEADERS, type SseOptions } from '../../sse-response.js'
import type { Door, Prepared, Reply } from '../door.js'
import { CLOSED, openTurn, streamFailure, timingHeaders, wholeReply } from '../turn.js'
import { type ChatMcpOptions, mcpChatReply } from './chat-mcp.js'
import { ChunkWriter, sseError } from './chunks.js'
import { completionJson } from './completion.js'
import { parseChatBody, toBaseRequest } from './validate.js'

const newCompletionId = () => randomId('chatcmpl-')

export interface OpenAIChatOptions {
  chat: ChatService
  pingMs: number
  log: Logger
  /** The MCP tools a request with "mcp": true may have the relay call (chat-mcp.ts). */
  agents?: Omit<ChatMcpOptions, 'chat' | 'pingMs'>
}

export function openaiChatDoor(o: OpenAIChatOptions): Door {
  return {
    path: '/v1/chat/completions',
    prefixed: true,
    handle: (req, signal) => handleChat(o, req, signal),
    error: (err) => openaiErrorReply(err, o.log),
  }
}

async function handleChat(o: OpenAIChatOptions, req: Prepared, signal: AbortSignal): Promise<Reply> {
  const body = parseChatBody(req.body)
  if (!body.model) throw ApiError.badRequest('model: required', 'model', 'missing_required_parameter')
  if (body.mcp === true && o.agents) {
    const { messages } = toBaseRequest(body)
    return mcpChatReply({ ...o.agents, chat: o.chat, pingMs: o.pingMs }, req, body.model, messages, body.stream === true, signal)
  }
  const turn = await openTurn(o.chat, req, signal, { model: body.model, request: toBaseRequest(body), recordType: RECORD_API_CHAT })
  if (!turn) return CLOSED
  const headers = timingHeaders(turn)
  const created = Math.floor(Date.now() / 1000)
  const id = newCompletionId()

  if (!body.stream) {
    return wholeReply(turn, async () => {
      const collected = await collectEvents(turn.events())
      const json = completionJson(collected, { id: collected.id ?? id, model: turn.model, created, reasoning: turn.reasoning, usage: turn.usage() })
      return { kind: 'json', status: 200, headers, body: json }
    })
  }
  const includeUsage = body.stream_options?.include_usage === true
  return { kind: 'sse', options: streamOptions(o, turn, headers, { id, created, includeUsage }) }
}

function streamOptions(
  o: OpenAIChatOptions,
  turn: ChatTurn,
  headers: Record<string, string>,
  meta: { id: string; created: number; includeUsage: boolean },
): SseOptions<DeltaEvent> {
  const options = { id: meta.id, model: turn.model, created: meta.created, reasoning: turn.reasoning, includeUsage: meta.includeUsage }
  const writer = new ChunkWriter(options)
  // The second and later choices of an n > 1 answer, each with its own writer.
  let others: Map<number, ChunkWriter> | undefined
  const other = (index: number, e: DeltaEvent): string => {
    others ??= new Map()
    let w = others.get(index)
    if (w) return w.write(e)
    w = new ChunkWriter({ ...options, id: writer.id, index })
    others.set(index, w)
    return w.start(e) + w.write(e)
  }
  const closeOthers = () => [...(others?.values() ?? [])].map((w) => w.close()).join('')
  return {
    headers: { ...SSE_HEADERS, ...headers },
    pingMs: o.pingMs,
    events: turn.events(),
    handlers: {
      render(e) {
        if ('choice' in e && e.choice) return other(e.choice, e)
        if (e.type === 'conversation' && !writer.started) writer.setId(e.id)
        const head = !writer.started && e.type !== 'conversation' && e.type !== 'usage' ? writer.start(e) : ''
        return head + writer.write(e)
      },
      end: () => (writer.started ? '' : writer.start()) + closeOthers() + writer.end(turn.usage()),
      fail: (err) => sseError(openaiError(streamFailure(turn, err)).body().error),
    },
  }
}
