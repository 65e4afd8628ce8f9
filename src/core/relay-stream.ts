// One relayed answer once its first event arrived: the events as they pass (observed by the tally),
// and its end, whichever way it comes, reported exactly once to the relay and the chat turn.
import { performance } from 'node:perf_hooks'
import { type UpstreamError, isAbortError } from '../kit/errors.js'
import type { ChatRequest, DeltaEvent, FinishReason } from '../kit/types.js'
import type { ProviderInstance } from './provider-registry.js'
import { asUpstreamError } from './relay-failure.js'
import type { Candidate } from './router.js'
import { Tally } from './tally.js'

export type Outcome = 'ok' | 'aborted' | UpstreamError

export class RelayStream {
  readonly tally = new Tally()
  outcome: Outcome | undefined
  /**
   * Called once the stream is over, after the relay's own bookkeeping: the chat turn settles here.
   * The stream reports its end to the consumer only after this settled (billing written).
   */
  whenDone: (() => void | Promise<void>) | undefined

  constructor(
    readonly instance: ProviderInstance,
    readonly candidate: Candidate,
    readonly request: ChatRequest,
    readonly credentialId: number | null,
    /** ms from the relay's start until the adapter was called. */
    readonly dispatchMs: number,
    private readonly first: DeltaEvent,
    private readonly iterator: AsyncIterator<DeltaEvent>,
    private readonly onDone: (s: RelayStream) => void,
  ) {}

  /**
   * The stream's events, first one included, observed by the tally as they pass. Hand-written
   * rather than an async generator: it runs once per event of every stream.
   */
  events(): AsyncIterableIterator<DeltaEvent> & { return(): Promise<IteratorResult<DeltaEvent>> } {
    let first: DeltaEvent | undefined = this.first
    const finish = (outcome: Outcome) => this.finish(outcome)
    const iterator = {
      next: async (): Promise<IteratorResult<DeltaEvent>> => {
        if (this.outcome !== undefined) return { done: true, value: undefined }
        if (first) {
          const event = first
          first = undefined
          this.tally.observe(event, performance.now())
          return { done: false, value: event }
        }
        let next: IteratorResult<DeltaEvent>
        try {
          next = await this.iterator.next()
        } catch (err) {
          const outcome = isAbortError(err) ? 'aborted' : asUpstreamError(err, this.instance.name)
          await this.iterator.return?.().catch(() => undefined)
          await finish(outcome)
          throw outcome === 'aborted' ? err : outcome
        }
        if (!next.done) this.tally.observe(next.value, performance.now())
        else {
          const finishing = finish('ok')
          if (finishing) await finishing
        }
        return next
      },
      /** The consumer stopped early (client gone): stop the adapter and release the credential. */
      return: async (): Promise<IteratorResult<DeltaEvent>> => {
        if (this.outcome === undefined) {
          await this.iterator.return?.().catch(() => undefined)
          await finish('aborted')
        }
        return { done: true, value: undefined }
      },
      [Symbol.asyncIterator]() {
        return iterator
      },
    }
    return iterator
  }

  /** Report the end; a promise only when the turn's settlement has writes to wait for. */
  private finish(outcome: Outcome): void | Promise<void> {
    if (this.outcome !== undefined) return
    this.outcome = outcome
    this.onDone(this)
    return this.whenDone?.()
  }

  /**
   * End the answer here as complete, with this finish reason (the balance affords no more): the
   * upstream is stopped and the stream counts as a finished answer, not an abandoned one.
   */
  async cut(reason: FinishReason): Promise<void> {
    if (this.outcome !== undefined) return
    this.tally.observe({ type: 'finish', reason }, performance.now())
    await this.iterator.return?.().catch(() => undefined)
    await this.finish('ok')
  }
}
