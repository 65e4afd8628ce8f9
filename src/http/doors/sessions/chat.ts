// POST /chat and POST /chat/stream: the Coze chatbot API shape over server-side sessions.
// Errors are {"detail": "..."} plus the OpenAI error object.
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { RECORD_SESSION_CHAT } from '../../../core/meter.js'
import type { ChatService } from '../../../core/chat/service.js'
import type { ChatTurn } from '../../../core/chat/turn.js'
import type { Logger } from '../../../kit/log.js'
import type { DeltaEvent } from '../../../kit/types.js'
import { ApiError, openaiError, toApiError } from '../../errors.js'
import { SSE_HEADERS, type SseOptions } from '../../sse-response.js'
import type { Door, ErrorReply, Prepared, Reply } from '../door.js'
import { CLOSED, openTurn, streamFailure, wholeReply } from '../turn.js'

export const chatSchema = z.looseObject({
  message: z.string({ error: 'message is required' }).trim().min(1, 'message must not be empty'),
  // The id goes back in the X-Session-Id header, which carries printable ASCII only.
  session_id: z
    .string()
    .trim()
    .max(200)
    .regex(/^[\x20-\x7e]*$/, 'session_id may contain printable ASCII characters only')
    .nullish(),
  user_id: z.union([z.string(), z.number()]).nullish(),
  user_uuid: z.string().nullish(),
  model: z.string().nullish(),
})
type ChatBody = z.infer<typeof chatSchema>

export interface SessionDoorOptions {
  chat: ChatService
  pingMs: number
  log: Logger
}

/** The session routes' error body: `detail` for the Coze clients, the OpenAI object for the rest. */
export function sessionError(err: unknown, log: Logger): ErrorReply {
  const api = toApiError(err, log)
  return { status: api.status, body: { detail: api.message, ...api.body() } }
}

function parse(raw: unknown): ChatBody {
  const parsed = chatSchema.safeParse(raw)
  if (!parsed.success) throw ApiError.badRequest(parsed.error.issues[0]!.message, null, 'invalid_value')
  return parsed.data
}

async function open(o: SessionDoorOptions, req: Prepared, signal: AbortSignal, stream: boolean): Promise<ChatTurn | undefined> {
  const body = parse(req.body)
  const named = body.user_id == null ? body.user_uuid : String(body.user_id)
  const user = named ?? req.caller.userId
  return openTurn(o.chat, req, signal, {
    model: body.model,
    request: { messages: [{ role: 'user', content: body.message }], stream, extra: {}, ...(user ? { user } : {}) },
    recordType: RECORD_SESSION_CHAT,
    onBehalfOf: named,
    session: { id: body.session_id ?? undefined },
  })
}

async function answerWhole(o: SessionDoorOptions, req: Prepared, signal: AbortSignal): Promise<Reply> {
  const turn = await open(o, req, signal, false)
  if (!turn) return CLOSED
  return wholeReply(turn, async () => {
    for await (const _ of turn.events()) {
      // The tally gathers the answer; nothing is sent until it is complete.
    }
    const row = turn.session!
    return {
      kind: 'json',
      status: 200,
      body: {
        response: turn.text,
        session_id: row.sessionId,
        message_id: randomUUID(),
        timestamp: new Date().toISOString(),
        conversation_id: row.conversationId,
      },
    }
  })
}

const line = (type: string, data: Record<string, unknown>) => `data: ${JSON.stringify({ type, data })}\n\n`

/** `data: {"type":"chunk",...}` per text delta, then one "complete" (or "error") line. */
function streamOptions(o: SessionDoorOptions, turn: ChatTurn): SseOptions<DeltaEvent> {
  let index = 0
  let full = ''
  return {
    headers: { ...SSE_HEADERS, 'X-Session-Id': turn.session!.sessionId },
    pingMs: o.pingMs,
    events: turn.events(),
    handlers: {
      render(e) {
        if (e.type !== 'text' || !e.text) return ''
        full += e.text
        return line('chunk', { content: e.text, chunk_index: index++ })
      },
      end() {
        const row = turn.session!
        return line('complete', { total_chunks: index, full_content: full, session_id: row.sessionId, conversation_id: row.conversationId })
      },
      fail: (err) => line('error', { message: openaiError(streamFailure(turn, err)).message }),
    },
  }
}

export function sessionDoors(o: SessionDoorOptions): Door[] {
  const error = (err: unknown) => sessionError(err, o.log)
  return [
    { path: '/chat', prefixed: false, handle: (req, signal) => answerWhole(o, req, signal), error },
    {
      path: '/chat/stream',
      prefixed: false,
      async handle(req, signal) {
        const turn = await open(o, req, signal, true)
        return turn ? { kind: 'sse', options: streamOptions(o, turn) } : CLOSED
      },
      error,
    },
  ]
}
