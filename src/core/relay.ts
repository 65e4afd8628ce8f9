// Routing + failover + abort. Tries each candidate provider, each usable credential, until one
// produces a first event; after that the stream belongs to the client and errors are final.
import { performance } from 'node:perf_hooks'
import { UpstreamError, isAbortError, protocolError, upstreamUnavailable } from '../kit/errors.js'
import type { Logger } from '../kit/log.js'
import type { ChatRequest, DeltaEvent, FinishReason } from '../kit/types.js'
import { callContext } from './call-context.js'
import type { ConversationMemory } from './conversations.js'
import type { CredentialPool, Lease } from './credential-pool.js'
import type { ProviderInstance } from './provider-registry.js'
import type { Candidate, RoutePlan } from './router.js'
import { Tally } from './tally.js'

export type BaseRequest = Omit<ChatRequest, 'model' | 'flags' | 'continueFrom'>

export interface RelayInput {
  plan: RoutePlan
  request: BaseRequest
  signal: AbortSignal
  /** Caller's own upstream tokens (free-api convention), for providers that allow it. */
  passthroughTokens?: string[]
}

/** Every candidate failed before the first event. */
export class RelayFailure extends Error {
  constructor(
    message: string,
    readonly kind: UpstreamError['kind'] | 'no_credential',
    readonly upstreamStatus?: number,
  ) {
    super(message)
    this.name = 'RelayFailure'
  }
}

export type Outcome = 'ok' | 'aborted' | UpstreamError

export class RelayStream {
  readonly tally = new Tally()
  outcome: Outcome | undefined
  /** Called once the stream is over, after the relay's own bookkeeping: the chat turn settles here. */
  whenDone: (() => void) | undefined

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
          finish(outcome)
          throw outcome === 'aborted' ? err : outcome
        }
        if (next.done) finish('ok')
        else this.tally.observe(next.value, performance.now())
        return next
      },
      /** The consumer stopped early (client gone): stop the adapter and release the credential. */
      return: async (): Promise<IteratorResult<DeltaEvent>> => {
        if (this.outcome === undefined) {
          await this.iterator.return?.().catch(() => undefined)
          finish('aborted')
        }
        return { done: true, value: undefined }
      },
      [Symbol.asyncIterator]() {
        return iterator
      },
    }
    return iterator
  }

  private finish(outcome: Outcome): void {
    if (this.outcome !== undefined) return
    this.outcome = outcome
    this.onDone(this)
    this.whenDone?.()
  }

  /**
   * End the answer here as complete, with this finish reason (the balance affords no more): the
   * upstream is stopped and the stream counts as a finished answer, not an abandoned one.
   */
  async cut(reason: FinishReason): Promise<void> {
    if (this.outcome !== undefined) return
    this.tally.observe({ type: 'finish', reason }, performance.now())
    await this.iterator.return?.().catch(() => undefined)
    this.finish('ok')
  }
}

export function asUpstreamError(err: unknown, provider: string): UpstreamError {
  if (err instanceof UpstreamError) {
    err.provider ??= provider
    return err
  }
  return upstreamUnavailable(`${provider} failed: ${(err as Error)?.message ?? String(err)}`, { provider, cause: err })
}

const failureStatus: Record<string, number> = {
  rate_limited: 429,
  quota_exhausted: 429,
  timeout: 504,
  unavailable: 502,
  protocol: 502,
  credential_invalid: 503,
  no_credential: 503,
}
export const statusOfFailure = (kind: string) => failureStatus[kind] ?? 502

export class Relay {
  constructor(
    private readonly pool: CredentialPool,
    private readonly conversations: ConversationMemory,
    private readonly log: Logger,
    /** Called after a credential served a request (credit-aware providers refresh credit). */
    private readonly onUsed?: (instance: ProviderInstance, credentialId: number) => void,
  ) {}

  async open(input: RelayInput): Promise<RelayStream> {
    const t0 = performance.now()
    const reasons: string[] = []
    let lastError: UpstreamError | undefined
    for (const candidate of input.plan.candidates) {
      const { instance, spec } = candidate
      const request: ChatRequest = { ...input.request, model: spec.upstream ?? spec.id, flags: candidate.flags }
      const known = instance.settings.multi_turn
        ? this.conversations.lookup(instance.name, request.model, request.messages)
        : undefined
      const tried = new Set<number>()
      const passthrough =
        instance.settings.passthrough_tokens && input.passthroughTokens?.length ? [...input.passthroughTokens] : undefined
      for (;;) {
        const lease = passthrough
          ? passthrough.length
            ? this.pool.passthroughLease(instance.name, passthrough.shift()!)
            : undefined
          : this.pool.acquire(instance, { spec, prefer: known?.credentialId, exclude: tried })
        if (!lease) break
        if (lease.view.id !== null) tried.add(lease.view.id)
        const continued = known && known.credentialId === lease.view.id ? { ...request, continueFrom: known } : request
        try {
          return await this.start(candidate, continued, lease, input.signal, t0)
        } catch (err) {
          if (input.signal.aborted || isAbortError(err)) {
            this.pool.release(lease, 'aborted')
            throw err
          }
          const e = asUpstreamError(err, instance.name)
          this.pool.release(lease, e)
          this.log.debug(`attempt on ${instance.name} failed (${e.kind}): ${e.message}`)
          if (!e.retryable) throw new RelayFailure(e.message, e.kind, e.upstreamStatus)
          lastError = e
        }
      }
      reasons.push(
        passthrough ? `${instance.name}: pass-through tokens failed` : `${instance.name}: ${this.pool.summary(instance, spec, tried)}`,
      )
    }
    const exhausted = input.plan.candidates.map((c) => c.instance.adapter.exhaustedMessage).find(Boolean)
    const summary = `${exhausted ? `${exhausted}: ` : ''}no usable credential for ${reasons.join('; ')}`
    if (exhausted && (!lastError || lastError.kind === 'credential_invalid')) throw new RelayFailure(summary, 'no_credential')
    if (lastError) throw new RelayFailure(`${lastError.message} (${summary})`, lastError.kind, lastError.upstreamStatus)
    throw new RelayFailure(summary, 'no_credential')
  }

  private async start(candidate: Candidate, request: ChatRequest, lease: Lease, signal: AbortSignal, t0: number) {
    const { instance } = candidate
    const ctx = callContext(instance, lease, signal, this.log)
    const dispatchMs = performance.now() - t0
    const iterator = instance.adapter.chat(request, ctx)[Symbol.asyncIterator]()
    const first = await iterator.next()
    if (first.done) throw protocolError(`${instance.name} returned an empty response`, { provider: instance.name })
    return new RelayStream(instance, candidate, request, lease.view.id, dispatchMs, first.value, iterator, (s) =>
      this.finish(s, lease),
    )
  }

  private finish(stream: RelayStream, lease: Lease): void {
    this.pool.release(lease, stream.outcome ?? 'aborted')
    const { instance, request, tally } = stream
    if (lease.view.id !== null && stream.outcome !== 'aborted') this.onUsed?.(instance, lease.view.id)
    const conv = tally.conversation
    if (!conv) return
    const ref = conv.parentId ? { conversationId: conv.id, parentId: conv.parentId } : { conversationId: conv.id }
    if (stream.outcome === 'ok' && instance.settings.multi_turn && lease.view.id !== null) {
      this.conversations.remember(instance.name, request.model, lease.view.id, request.messages, tally.text, ref)
    } else if (
      !instance.settings.multi_turn &&
      !instance.settings.keep_conversations &&
      !request.conversationId &&
      instance.adapter.deleteConversation
    ) {
      // One-shot conversation, finished or not: the core cleans it up upstream (adapters never
      // do), off the response path.
      const ctx = callContext(instance, lease, AbortSignal.timeout(instance.settings.timeout_ms), this.log)
      instance.adapter.deleteConversation(ref, ctx).catch((err: unknown) => {
        this.log.debug(`could not delete ${instance.name} conversation: ${(err as Error).message}`)
      })
    }
  }
}
