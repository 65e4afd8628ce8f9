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

  /** The stream's events, first one included, observed by the tally as they pass. Iterate once. */
  events(): AsyncIterableIterator<DeltaEvent> & { return(): Promise<IteratorResult<DeltaEvent>> } {
    return new RelayEvents(this, this.first, this.iterator)
  }

  /** Where the adapter's stream ends (RelayEvents): stop reading it and report the outcome. */
  async failed(err: unknown): Promise<never> {
    const outcome = isAbortError(err) ? 'aborted' : asUpstreamError(err, this.instance.name)
    await this.iterator.return?.().catch(() => undefined)
    await this.finish(outcome)
    throw outcome === 'aborted' ? err : outcome
  }

  /** Report the end, once (RelayEvents, cut); a promise only when the settlement has writes to wait for. */
  finish(outcome: Outcome): void | Promise<void> {
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

/**
 * One reading of a relayed answer. A class rather than an object of closures: it is made for
 * every request, and its next() runs once per event of every stream.
 */
class RelayEvents implements AsyncIterableIterator<DeltaEvent> {
  constructor(
    private readonly stream: RelayStream,
    private first: DeltaEvent | undefined,
    private readonly iterator: AsyncIterator<DeltaEvent>,
  ) {}

  async next(): Promise<IteratorResult<DeltaEvent>> {
    const { stream } = this
    if (stream.outcome !== undefined) return { done: true, value: undefined }
    const first = this.first
    if (first) {
      this.first = undefined
      stream.tally.observe(first, performance.now())
      return { done: false, value: first }
    }
    let next: IteratorResult<DeltaEvent>
    try {
      next = await this.iterator.next()
    } catch (err) {
      return stream.failed(err)
    }
    if (!next.done) stream.tally.observe(next.value, performance.now())
    else {
      const finishing = stream.finish('ok')
      if (finishing) await finishing
    }
    return next
  }

  /** The consumer stopped early (client gone): stop the adapter and release the credential. */
  async return(): Promise<IteratorResult<DeltaEvent>> {
    if (this.stream.outcome === undefined) {
      await this.iterator.return?.().catch(() => undefined)
      await this.stream.finish('aborted')
    }
    return { done: true, value: undefined }
  }

  [Symbol.asyncIterator](): this {
    return this
  }
}
