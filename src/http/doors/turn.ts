// What every chat door does around the core's turn, once: open it with the prepared request's
// identity, answer a client that left with a closed reply rather than an error, and hand a
// failed answer's renderer the turn's own failure (the core already settled and recorded it).
import { ChatFailure } from '../../core/chat/failure.js'
import type { ChatService, TurnInput } from '../../core/chat/service.js'
import type { ChatTurn } from '../../core/chat/turn.js'
import type { Prepared, Reply } from './door.js'

/** What a door decides of a turn; the request's identity comes from the preparation step. */
export type TurnSpec = Omit<TurnInput, 'requestId' | 'clientRequestId' | 'startedAt' | 'caller' | 'signal'>

/** The reply to a client that went away before anything was sent. */
export const CLOSED: Reply = { kind: 'closed' }

/** The turn, or undefined when the client went away while it was opening (answer CLOSED). */
export function openTurn(chat: ChatService, req: Prepared, signal: AbortSignal, spec: TurnSpec): Promise<ChatTurn | undefined> {
  // Every field named, none spread: a new TurnInput field fails to compile here until it is passed on.
  const input: { [K in keyof Required<TurnInput>]: TurnInput[K] } = {
    model: spec.model,
    request: spec.request,
    recordType: spec.recordType,
    onBehalfOf: spec.onBehalfOf,
    session: spec.session,
    accept: spec.accept,
    requestId: req.requestId,
    clientRequestId: req.clientRequestId,
    startedAt: req.startedAt,
    caller: req.caller,
    signal,
  }
  return chat.open(input).then(undefined, openFailed)
}

function openFailed(err: unknown): undefined {
  if (err instanceof ChatFailure && err.kind === 'aborted') return undefined
  throw err
}

/**
 * A whole (non-stream) answer: `answer` reads the turn's events and builds the reply. A client
 * that left gets a closed reply; any other failure is thrown as the turn's own ChatFailure.
 */
export function wholeReply(turn: ChatTurn, answer: () => Promise<Reply>): Promise<Reply> {
  return answer().then(undefined, (err: unknown) => {
    const outcome = turn.outcome
    if (outcome !== 'ok' && outcome?.kind === 'aborted') return CLOSED
    throw outcome instanceof ChatFailure ? outcome : err
  })
}

/** Why a stream failed, for its door's error event: the turn's settled failure, else the error folded. */
export function streamFailure(turn: ChatTurn, err: unknown): ChatFailure {
  const outcome = turn.outcome
  return outcome instanceof ChatFailure ? outcome : ChatFailure.from(err)
}

/** The relay's dispatch time, as every chat door reports it. */
export const timingHeaders = (turn: ChatTurn): Record<string, string> => ({ 'Server-Timing': `relay;dur=${turn.dispatchMs.toFixed(2)}` })
