// One chat turn that has reached an upstream: its events for the door to render, and its
// settlement (bill, usage row, record, session history), which happens exactly once, when the
// event stream ends, fails or is stopped early, whatever the door does.
import type { DeltaEvent } from '../../kit/types.js'
import type { SessionRow } from '../../db/sessions.repo.js'
import type { Outcome, RelayStream } from '../relay.js'
import type { ReasoningMode, RoutePlan } from '../router.js'
import type { Sessions } from '../sessions.js'
import type { Usage } from '../tally.js'
import { estimateTextTokens } from '../../kit/tokens.js'
import { ChatFailure } from './failure.js'
import type { Meter } from '../meter.js'
import { servedBy } from './served.js'

export interface TurnParts {
  /** The model as the client named it, after `auto` was resolved. */
  model: string
  plan: RoutePlan
  relay: RelayStream
  meter: Meter
  /** 'stream': what was sent before the client left is billed; 'whole': nothing reached it. */
  delivery: 'stream' | 'whole'
  sessions: Sessions
  session?: { row: SessionRow; question: string } | undefined
  /** Completion tokens the balance affords; the answer is cut there (finish `length`). */
  limit?: number | undefined
  /** Checks a complete answer before it is billed: a failure settles the turn unbilled (a route that needs, say, valid JSON). */
  accept?: ((text: string) => ChatFailure | undefined) | undefined
}

export class ChatTurn {
  readonly model: string
  readonly plan: RoutePlan
  readonly relay: RelayStream
  /** The session after this turn (its history and upstream conversation), once settled. */
  session: SessionRow | undefined
  private settledWith: ChatFailure | 'ok' | undefined
  /** Set when the relay stops the turn itself (shutdown): an abort then is not the client's. */
  private stoppedBy: ChatFailure | undefined

  constructor(
    private readonly parts: TurnParts,
    private readonly onSettled: (turn: ChatTurn) => void = () => undefined,
  ) {
    this.model = parts.model
    this.plan = parts.plan
    this.relay = parts.relay
    this.session = parts.session?.row
    parts.relay.whenDone = () => this.settle()
  }

  /**
   * The relay ends this turn before its answer is complete (a shutdown's grace period ran out).
   * The caller then aborts the upstream call; the turn settles as this failure and, streamed,
   * is billed for what the client received.
   */
  markStopped(failure: ChatFailure): void {
    if (!this.settledWith) this.stoppedBy = failure
  }

  /** The answer as events. Iterate once; ending, failing or stopping early settles the turn. */
  events(): AsyncIterableIterator<DeltaEvent> & { return(): Promise<IteratorResult<DeltaEvent>> } {
    const { limit } = this.parts
    return limit === undefined ? this.relay.events() : cutAt(this.relay, limit)
  }

  /** Give the turn up without reading it (the door could not start its answer). */
  async abandon(): Promise<void> {
    await this.relay.events().return()
  }

  /** How reasoning reaches the client: the model's suffix wins over the route's setting. */
  get reasoning(): ReasoningMode {
    const flags = this.relay.candidate.flags
    if (flags.has('silent')) return 'hide'
    if (flags.has('fold')) return 'fold'
    return this.plan.reasoning
  }

  /** Usage of the answer so far (the upstream's, else an estimate). */
  usage(): Usage {
    return this.relay.tally.usage(this.relay.request.messages)
  }

  /** The answer's text so far. */
  get text(): string {
    return this.relay.tally.text
  }

  /** ms from the start of relaying until the upstream was called (Server-Timing). */
  get dispatchMs(): number {
    return this.relay.dispatchMs
  }

  /** How it ended, once it has: 'ok' or the failure (client gone is kind 'aborted'). */
  get outcome(): ChatFailure | 'ok' | undefined {
    return this.settledWith
  }

  /**
   * How the turn ended is known at once (outcome, session); the writes finish before it resolves.
   * A turn without a session that charges nothing (its rows are queued) settles without a promise.
   */
  private settle(): void | Promise<void> {
    if (this.settledWith) return
    const { relay, meter, session } = this.parts
    const refused = relay.outcome === 'ok' ? this.parts.accept?.(relay.tally.text) : undefined
    const { settledWith, ...billed } = this.endOf(refused ?? relay.outcome)
    this.settledWith = settledWith
    let finishing: number | Promise<unknown>
    try {
      // The session first: its write is queued ahead of the settlement's, as it always was.
      const saving = session ? this.saveSession(session, settledWith) : undefined
      finishing = meter.finish({ served: servedBy(relay), ...billed })
      if (saving) finishing = Promise.all([saving, finishing])
    } catch (err) {
      this.onSettled(this)
      throw err
    }
    if (!(finishing instanceof Promise)) return this.onSettled(this)
    return finishing.then(
      () => this.onSettled(this),
      (err: unknown) => {
        this.onSettled(this)
        throw err
      },
    )
  }

  /** The session after an answer (its history grows), or released as it was after a failure. */
  private saveSession(session: { row: SessionRow; question: string }, settledWith: ChatFailure | 'ok'): Promise<unknown> {
    const { relay, sessions } = this.parts
    if (settledWith !== 'ok') return sessions.release(session.row.sessionId)
    const next = sessions.afterTurn(session.row, {
      question: session.question,
      answer: relay.tally.text,
      model: this.model,
      conversationId: relay.tally.conversation?.id,
    })
    this.session = next
    return sessions.save(next)
  }

  /**
   * How a turn with this outcome ends, as settled and as billed: a stop by the relay first, then
   * the client leaving (a stream is billed for what it delivered), then the upstream's failure.
   */
  private endOf(outcome: Outcome | ChatFailure | undefined): { settledWith: ChatFailure | 'ok'; status: number; errorClass?: string; bill: boolean } {
    if (outcome === 'ok') return { settledWith: 'ok', status: 200, bill: true }
    const streamed = this.parts.delivery === 'stream'
    const stopped = this.stoppedBy
    if (stopped) return { settledWith: stopped, status: stopped.status, errorClass: stopped.kind, bill: streamed }
    if (outcome === 'aborted' || outcome === undefined) {
      return { settledWith: new ChatFailure('aborted', 'the client went away'), status: 499, errorClass: 'client_closed', bill: streamed }
    }
    const failure = ChatFailure.from(outcome)
    return { settledWith: failure, status: failure.status, errorClass: failure.kind, bill: false }
  }
}

/**
 * The relay's events, cut once the answer reaches `limit` completion tokens (counted as they
 * stream): upstreams that take no max_tokens (the web chats) stop where the balance ends, and the
 * answer closes with finish `length`. Only turns the balance bounds pay for the counting.
 */
function cutAt(relay: RelayStream, limit: number): AsyncIterableIterator<DeltaEvent> & { return(): Promise<IteratorResult<DeltaEvent>> } {
  const inner = relay.events()
  let spent = 0
  let state: 'open' | 'cut' | 'over' = 'open'
  const iterator = {
    async next(): Promise<IteratorResult<DeltaEvent>> {
      if (state === 'over') return { done: true, value: undefined }
      if (state === 'cut') {
        state = 'over'
        await relay.cut('length')
        return { done: false, value: { type: 'finish', reason: 'length' } }
      }
      const next = await inner.next()
      if (next.done) return next
      const e = next.value
      if (e.type === 'text' || e.type === 'reasoning') spent += estimateTextTokens(e.text)
      else if (e.type === 'tool_call') spent += estimateTextTokens((e.name ?? '') + e.args)
      if (spent >= limit) state = 'cut'
      return next
    },
    return: () => inner.return(),
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  return iterator
}
