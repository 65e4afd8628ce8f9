// POST /communicate?prompt=…&user_id=… (also /api/communicate): seed 004's chat-bot endpoint.
// The prompt is a message or a command (core/agents/assistant.ts); the body, when there is one,
// is an uploaded file. The answer streams as SSE `data: {"type":…}` lines; a failure before the
// first event is an HTTP error in the seed's envelope {"code","msg"}.
import type { Assistant, AssistantEvent } from '../../../core/agents/assistant.js'
import { ChatFailure } from '../../../core/chat/failure.js'
import type { Logger } from '../../../kit/log.js'
import { actingCaller } from '../../acting-user.js'
import { ApiError, toApiError } from '../../errors.js'
import { SSE_HEADERS, type SseOptions } from '../../sse-response.js'
import type { Door, ErrorReply, Prepared, Reply } from '../door.js'

export interface CommunicateOptions {
  assistant: Assistant
  allowAnonymous(): boolean
  pingMs: number
  log: Logger
}

const line = (event: Record<string, unknown>) => `data: ${JSON.stringify(event)}\n\n`

/** One event as the client sees it. */
function render(e: AssistantEvent): string {
  switch (e.type) {
    case 'text':
      return line({ type: 'delta', content: e.text, step: e.step })
    case 'reasoning':
      return line({ type: 'reasoning', content: e.text, step: e.step })
    case 'step':
      return line({ type: 'step', step: e.step })
    case 'tool_call':
      return line({ type: 'tool_call', step: e.step, name: e.name, arguments: e.arguments })
    case 'tool_result':
      return line({ type: 'tool_result', step: e.step, name: e.name, result: e.result, is_error: e.isError })
    case 'message':
      return line({ type: 'message', content: e.text, ...(e.data === undefined ? {} : { data: e.data }) })
    case 'answer':
      return line({ type: 'done', content: e.text, steps: e.steps })
  }
}

function communicateError(err: unknown, log: Logger): ErrorReply {
  if (err instanceof ApiError || err instanceof ChatFailure) {
    const api = toApiError(err, log)
    return { status: api.status, body: { code: api.status, msg: api.message } }
  }
  // handle() turns its own failures into the two kinds above: what is left failed while the
  // body was being read.
  log.warn(`/communicate: reading the body failed: ${(err as Error).message}`)
  return { status: 500, body: { code: 500, msg: 'Error reading request body' } }
}

async function handle(o: CommunicateOptions, req: Prepared, signal: AbortSignal): Promise<Reply> {
  try {
    const query = new URL(req.url, 'http://localhost').searchParams
    const prompt = query.get('prompt')?.trim()
    if (!prompt) throw ApiError.badRequest('Missing prompt parameter', 'prompt')
    const named = query.get('user_id')?.trim() || undefined
    const who = actingCaller(req.caller, named, o.allowAnonymous())
    const bytes = req.body as Buffer
    const upload = bytes.length ? { bytes, type: (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase() } : undefined
    const events = o.assistant.run({ ...who, prompt, upload, signal })
    // The first event is awaited here, so a refusal (402, unknown model or command) is the answer's status.
    const first = await events.next()
    const options: SseOptions<AssistantEvent> = {
      headers: { ...SSE_HEADERS },
      pingMs: o.pingMs,
      events: (async function* () {
        if (!first.done) yield first.value
        yield* events
      })(),
      handlers: {
        render,
        end: () => '',
        fail: (err) => {
          const e = communicateError(err instanceof ChatFailure || err instanceof ApiError ? err : ChatFailure.from(err), o.log)
          return line({ type: 'error', ...(e.body as object) })
        },
      },
    }
    return { kind: 'sse', options }
  } catch (err) {
    if (err instanceof ChatFailure && err.kind === 'aborted') return { kind: 'closed' }
    throw err instanceof ApiError || err instanceof ChatFailure ? err : ChatFailure.from(err)
  }
}

export function communicateDoors(o: CommunicateOptions): Door[] {
  const error = (err: unknown) => communicateError(err, o.log)
  return ['/communicate', '/api/communicate'].map((path) => ({ path, prefixed: false, body: 'bytes' as const, handle: (req, signal) => handle(o, req, signal), error }))
}
