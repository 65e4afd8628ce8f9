// Routing + failover + abort. Tries each candidate provider, each usable credential, until one
// produces a first event (within the instance's timeout_ms); after that the stream belongs to the
// client and errors are final. When every credential that could serve is busy, the request waits
// in line for a slot (pool.queue_timeout_ms).
import { performance } from 'node:perf_hooks'
import { UpstreamError, internalError, isAbortError, protocolError, upstreamTimeout } from '../kit/errors.js'
import type { Logger } from '../kit/log.js'
import type { ChatRequest, DeltaEvent, FinishReason } from '../kit/types.js'
import { callContext } from './call-context.js'
import type { ConversationMemory, KnownConversation } from './conversations.js'
import type { CredentialPool, Lease } from './credential-pool.js'
import type { ProviderInstance } from './provider-registry.js'
import type { Candidate, RoutePlan } from './router.js'
import { emulateToolsRequest, extractOptionsFor, extractToolCalls, shouldEmulate } from './tools/index.js'
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

/**
 * What a call threw, as a typed failure. Only the upstream's own failures count against a
 * credential: the kit reports network trouble and HTTP statuses as UpstreamError, and a body that
 * does not parse (SyntaxError from JSON.parse of what the upstream sent) is its protocol failure.
 * Anything else (a TypeError, a stack overflow while serializing the request) is our own
 * 'internal' failure: never retried on another credential, never counted against one.
 */
export function asUpstreamError(err: unknown, provider: string): UpstreamError {
  if (err instanceof UpstreamError) {
    err.provider ??= provider
    return err
  }
  if (err instanceof SyntaxError) return protocolError(`${provider} sent an unreadable answer: ${err.message}`, { provider, cause: err })
  return internalError(`internal error while calling ${provider}`, { provider, cause: err })
}

const failureStatus: Record<string, number> = {
  rate_limited: 429,
  quota_exhausted: 429,
  timeout: 504,
  unavailable: 502,
  protocol: 502,
  credential_invalid: 503,
  no_credential: 503,
  internal: 500,
}
export const statusOfFailure = (kind: string) => failureStatus[kind] ?? 502

/** One candidate's progress through a request (kept for a second pass when it was only busy). */
interface Attempt {
  candidate: Candidate
  request: ChatRequest
  known: KnownConversation | undefined
  tried: Set<number>
  passthrough: string[] | undefined
  /** Why it could not serve, once it could not (the pool's summary). */
  reason: string
  /** Every credential that could serve was busy: worth waiting for. */
  busy: boolean
}

interface Run {
  attempts: Attempt[]
  lastError: UpstreamError | undefined
  waitedMs: number
}

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
    const run: Run = { attempts: [], lastError: undefined, waitedMs: 0 }
    for (const candidate of input.plan.candidates) {
      const stream = await this.attempt(this.prepare(candidate, input), input, run, t0, undefined)
      if (stream) return stream
    }
    // Nothing could serve at once. Candidates whose credentials were only busy get a place in line.
    const queueMs = this.pool.queueTimeoutMs
    if (queueMs > 0 && run.attempts.some((a) => a.busy)) {
      const deadline = performance.now() + queueMs
      for (const attempt of run.attempts.filter((a) => a.busy)) {
        const stream = await this.attempt(attempt, input, run, t0, deadline)
        if (stream) return stream
      }
      run.waitedMs = queueMs
    }
    throw this.exhausted(input, run)
  }

  private prepare(candidate: Candidate, input: RelayInput): Attempt {
    const { instance, spec } = candidate
    const request: ChatRequest = { ...input.request, model: spec.upstream ?? spec.id, flags: candidate.flags }
    const passthrough =
      instance.settings.passthrough_tokens && input.passthroughTokens?.length ? [...input.passthroughTokens] : undefined
    return {
      candidate,
      request,
      known: instance.settings.multi_turn ? this.conversations.lookup(instance.name, request.model, request.messages) : undefined,
      tried: new Set(),
      passthrough,
      reason: '',
      busy: false,
    }
  }

  /** Try the candidate's credentials in turn; with a deadline, wait in line for a busy one. */
  private async attempt(a: Attempt, input: RelayInput, run: Run, t0: number, deadline: number | undefined): Promise<RelayStream | undefined> {
    const { instance, spec } = a.candidate
    for (;;) {
      let lease: Lease | undefined
      if (a.passthrough) lease = a.passthrough.length ? this.pool.passthroughLease(instance.name, a.passthrough.shift()!) : undefined
      else {
        const opts = { spec, prefer: a.known?.credentialId, exclude: a.tried }
        lease = this.pool.acquire(instance, opts)
        if (!lease && deadline !== undefined) lease = await this.pool.waitForLease(instance, opts, deadline - performance.now(), input.signal)
      }
      if (!lease) break
      if (lease.view.id !== null) a.tried.add(lease.view.id)
      const known = a.known
      const request = known && known.credentialId === lease.view.id ? { ...a.request, continueFrom: known } : a.request
      try {
        return await this.start(a.candidate, request, lease, input.signal, t0)
      } catch (err) {
        if (input.signal.aborted || isAbortError(err)) {
          this.pool.release(lease, 'aborted')
          throw err
        }
        const e = asUpstreamError(err, instance.name)
        this.pool.release(lease, e)
        if (e.kind === 'internal') {
          this.log.error(`${e.message}: ${(err as Error)?.stack ?? String(err)}`)
          throw new RelayFailure(e.message, 'internal')
        }
        this.log.debug(`attempt on ${instance.name} failed (${e.kind}): ${e.message}`)
        if (!e.retryable) throw new RelayFailure(e.message, e.kind, e.upstreamStatus)
        run.lastError = e
      }
    }
    if (a.passthrough) a.reason = 'pass-through tokens failed'
    else if (this.pool.entries(instance.name).length === 0) a.reason = howToAdd(instance.name)
    else {
      const opts = { spec, exclude: a.tried }
      a.reason = this.pool.summary(instance, spec, a.tried)
      a.busy = this.pool.busy(instance, opts)
    }
    if (!run.attempts.includes(a)) run.attempts.push(a)
    return undefined
  }

  private exhausted(input: RelayInput, run: Run): RelayFailure {
    const { lastError } = run
    const reasons = run.attempts.map((a) => `${a.candidate.instance.name}: ${a.reason}`)
    const waited = run.waitedMs ? ` (waited ${run.waitedMs} ms for a free slot)` : ''
    const exhausted = input.plan.candidates.map((c) => c.instance.adapter.exhaustedMessage).find(Boolean)
    const summary = `${exhausted ? `${exhausted}: ` : ''}no usable credential for ${reasons.join('; ')}${waited}`
    if (exhausted && (!lastError || lastError.kind === 'credential_invalid')) return new RelayFailure(summary, 'no_credential')
    if (lastError) return new RelayFailure(`${lastError.message} (${summary})`, lastError.kind, lastError.upstreamStatus)
    return new RelayFailure(summary, 'no_credential')
  }

  private async start(candidate: Candidate, request: ChatRequest, lease: Lease, signal: AbortSignal, t0: number) {
    const { instance } = candidate
    // The adapter's own signal: the client's going away aborts it, and so does a silent upstream.
    const call = new AbortController()
    const forward = () => call.abort(signal.reason)
    if (signal.aborted) forward()
    else signal.addEventListener('abort', forward)
    const unlink = () => signal.removeEventListener('abort', forward)
    const ctx = callContext(instance, lease, call.signal, this.log)
    const dispatchMs = performance.now() - t0
    try {
      // Upstreams without function calling (web chats) get the tools in the prompt, and their
      // answer is read for calls; the stream and the conversation memory keep the client's view.
      const emulate = shouldEmulate(request, instance.settings)
      const answer = instance.adapter.chat(emulate ? emulateToolsRequest(request) : request, ctx)
      const iterator = (emulate ? extractToolCalls(answer, extractOptionsFor(request)) : answer)[Symbol.asyncIterator]()
      const first = await firstEvent(iterator, instance, call)
      if (first.done) throw protocolError(`${instance.name} returned an empty response`, { provider: instance.name })
      return new RelayStream(instance, candidate, request, lease.view.id, dispatchMs, first.value, iterator, (s) => {
        unlink()
        this.finish(s, lease)
      })
    } catch (err) {
      unlink()
      throw err
    }
  }

  private finish(stream: RelayStream, lease: Lease): void {
    this.pool.release(lease, stream.outcome ?? 'aborted')
    const { instance, request, tally } = stream
    const outcome = stream.outcome
    if (outcome instanceof UpstreamError && outcome.kind === 'internal') {
      const cause = outcome.cause as Error | undefined
      this.log.error(`${outcome.message} (mid-stream): ${cause?.stack ?? String(cause)}`)
    }
    if (lease.view.id !== null && outcome !== 'aborted') this.onUsed?.(instance, lease.view.id)
    const conv = tally.conversation
    if (!conv) return
    const ref = conv.parentId ? { conversationId: conv.id, parentId: conv.parentId } : { conversationId: conv.id }
    if (outcome === 'ok' && instance.settings.multi_turn && lease.view.id !== null) {
      this.conversations.remember(instance.name, request.model, lease.view.id, request.messages, tally.text, ref, tally.calls())
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

/**
 * The adapter's first event, which must come within the instance's timeout_ms: an upstream that
 * sends headers and then only keep-alive comments is a timeout like one that sends nothing (the
 * call is aborted, so its connection closes, and the relay fails over).
 */
function firstEvent(iterator: AsyncIterator<DeltaEvent>, instance: ProviderInstance, call: AbortController) {
  // One promise and one timer per call, not Promise.race: this runs for every request.
  return new Promise<IteratorResult<DeltaEvent>>((resolve, reject) => {
    const ms = instance.settings.timeout_ms
    const timer = setTimeout(() => {
      const err = upstreamTimeout(`${instance.name} sent no content within ${ms} ms`, { provider: instance.name })
      reject(err)
      call.abort(err)
      iterator.return?.().catch(() => undefined)
    }, ms)
    iterator.next().then(
      (first) => {
        clearTimeout(timer)
        resolve(first)
      },
      (err: unknown) => {
        clearTimeout(timer)
        reject(err)
      },
    )
  })
}

/** What to tell a caller whose model's provider has no credential at all. */
function howToAdd(provider: string): string {
  return `no credentials (add one with PUT /api/cookie {"provider": "${provider}", "cookie": "..."} or under providers.${provider}.credentials in config.yaml)`
}
