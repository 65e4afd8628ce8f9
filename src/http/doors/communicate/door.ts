// POST /communicate?prompt=…&user_id=… (also /api/communicate): seed 004's chat-bot endpoint.
// The prompt is a message or a command (core/agents/assistant.ts); the body, when there is one,
// is an uploaded file. The answer streams as SSE `data: {"type":…}` lines; a failure before the
// first event is an HTTP error in the seed's envelope {"code","msg"}.
import { z } from 'zod'
import { type Assistant, type AssistantEvent, COMMANDS } from '../../../core/agents/assistant.js'
import { ChatFailure } from '../../../core/chat/failure.js'
import type { Logger } from '../../../kit/log.js'
import { actingCaller } from '../../acting-user.js'
import { seedFailSchema } from '../../envelope.js'
import { ApiError, TURN_STATUSES, toApiError } from '../../errors.js'
import type { RouteDoc } from '../../route-doc.js'
import { SSE_HEADERS, type SseOptions } from '../../sse-response.js'
import type { Door, ErrorReply, Prepared, Reply } from '../door.js'

const PATHS = ['/communicate', '/api/communicate'] as const

export const communicateQuery = z.object({
  prompt: z
    .string({ error: 'Missing prompt parameter' })
    .trim()
    .min(1, 'Missing prompt parameter')
    .meta({ description: `A message, or a command: ${Object.keys(COMMANDS).join(', ')}` }),
  user_id: z.string().trim().optional().meta({ description: 'The user to act for (a key that may act for others, or anonymous access)' }),
})

export const communicateDocs = (): RouteDoc[] => PATHS.map((path) => ({
  method: 'post' as const,
  path,
  summary: "Seed 004's chat bot: a message or a /command, answered as an event stream",
  tag: 'sessions' as const,
  auth: 'client' as const,
  query: communicateQuery,
  upload: 'An optional file sent with the prompt (an image or audio), its type in Content-Type.',
  stream:
    '`data: {"type":…}` lines: `delta` and `reasoning` ({content, step}), `step`, `tool_call` ({step, name, arguments}), `tool_result` ({step, name, result, is_error}), `message` ({content, data?}), then `done` ({content, steps}); a failure once streaming is `{"type":"error","code","msg"}`.',
  // The seed's envelope {code, msg}, with the statuses of a chat turn.
  errors: { name: 'SeedFailure', schema: seedFailSchema, statuses: TURN_STATUSES },
}))

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
    const search = new URL(req.url, 'http://localhost').searchParams
    const parsed = communicateQuery.safeParse({ prompt: search.get('prompt') ?? undefined, user_id: search.get('user_id') ?? undefined })
    if (!parsed.success) throw ApiError.badRequest(parsed.error.issues[0]!.message, parsed.error.issues[0]!.path.join('.'))
    const { prompt } = parsed.data
    const named = parsed.data.user_id || undefined
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
  return PATHS.map((path) => ({ path, prefixed: false, body: 'bytes' as const, handle: (req, signal) => handle(o, req, signal), error }))
}
