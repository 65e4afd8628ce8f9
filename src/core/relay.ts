// Routing + failover + abort. Tries each candidate provider, each usable credential, until one
// produces a first event (within the instance's timeout_ms); after that the stream belongs to the
// client and errors are final. When every credential that could serve is busy, the request waits
// in line for a slot (pool.queue_timeout_ms).
import { performance } from 'node:perf_hooks'
import { UpstreamError, isAbortError, protocolError, upstreamTimeout } from '../kit/errors.js'
import type { Logger } from '../kit/log.js'
import { andThen } from '../kit/maybe.js'
import { giveBackController, takeController } from '../kit/abort-pool.js'
import type { CallContext, ChatRequest, DeltaEvent } from '../kit/types.js'
import { callContext } from './call-context.js'
import type { ConversationMemory, KnownConversation } from './conversations.js'
import type { CredentialPool, Lease } from './credential-pool.js'
import type { ProviderInstance } from './provider-registry.js'
import type { Candidate, RoutePlan } from './router.js'
import { emulateToolsRequest, extractOptionsFor, extractToolCalls, shouldEmulate } from './tools/index.js'
import { RelayFailure, asUpstreamError } from './relay-failure.js'
import { RelayStream } from './relay-stream.js'

export type BaseRequest = Omit<ChatRequest, 'model' | 'flags' | 'continueFrom'>

export interface RelayInput {
  plan: RoutePlan
  request: BaseRequest
  signal: AbortSignal
  /** Caller's own upstream tokens (free-api convention), for providers that allow it. */
  passthroughTokens?: string[]
}

export { RelayFailure, asUpstreamError } from './relay-failure.js'
export { type Outcome, RelayStream } from './relay-stream.js'

/** A one-shot call (embeddings, media) with failover: what to do with one credential. */
export interface CallInput {
  plan: RoutePlan
  signal: AbortSignal
  passthroughTokens?: string[]
}

/** What a one-shot call returned, and who served it. */
export interface Served<T> {
  result: T
  candidate: Candidate
  credentialId: number | null
}

/** One candidate's progress through a request (kept for a second pass when it was only busy). */
interface Attempt {
  candidate: Candidate
  /** Chat only: the candidate's request and the upstream conversation it may continue. */
  request?: ChatRequest
  known?: KnownConversation | undefined
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

  /** A chat answer: the first credential whose upstream produces a first event wins. */
  open(input: RelayInput): Promise<RelayStream> {
    const t0 = performance.now()
    // Synchronous unless a stored conversation has to be looked up.
    const prepare = (candidate: Candidate): Attempt | Promise<Attempt> => {
      const request: ChatRequest = { ...input.request, model: candidate.spec.upstream ?? candidate.spec.id, flags: candidate.flags }
      const attempt = this.fresh(candidate, input.passthroughTokens)
      attempt.request = request
      if (!candidate.instance.settings.multi_turn) return attempt
      return andThen(this.conversations.lookup(candidate.instance.name, request.model, request.messages), (known) => {
        attempt.known = known
        return attempt
      })
    }
    return this.run(input, prepare, (a, lease) => {
      const request = a.known && a.known.credentialId === lease.view.id ? { ...a.request!, continueFrom: a.known } : a.request!
      return this.start(a.candidate, request, lease, input.signal, t0)
    })
  }

  /**
   * A one-shot call with the same failover, waiting line and credential health as chat: `fn` runs
   * with one credential at a time until one succeeds; the credential is released when it returns.
   */
  call<T>(input: CallInput, fn: (ctx: CallContext, candidate: Candidate) => Promise<T>): Promise<Served<T>> {
    return this.run(input, (candidate) => this.fresh(candidate, input.passthroughTokens), async (a, lease) => {
      const ctx = callContext(a.candidate.instance, lease, input.signal, this.log)
      const result = await fn(ctx, a.candidate)
      this.pool.release(lease, 'ok')
      if (lease.view.id !== null) this.onUsed?.(a.candidate.instance, lease.view.id)
      return { result, candidate: a.candidate, credentialId: lease.view.id }
    })
  }

  /** Every candidate in turn, then, when some were only busy, a place in line for them. */
  private async run<R>(input: CallInput, prepare: (c: Candidate) => Attempt | Promise<Attempt>, use: (a: Attempt, lease: Lease) => Promise<R>): Promise<R> {
    const run: Run = { attempts: [], lastError: undefined, waitedMs: 0 }
    for (const candidate of input.plan.candidates) {
      const prepared = prepare(candidate)
      const served = await this.attempt(prepared instanceof Promise ? await prepared : prepared, input, run, undefined, use)
      if (served) return served
    }
    const queueMs = this.pool.queueTimeoutMs
    if (queueMs > 0 && run.attempts.some((a) => a.busy)) {
      const deadline = performance.now() + queueMs
      for (const attempt of run.attempts.filter((a) => a.busy)) {
        const served = await this.attempt(attempt, input, run, deadline, use)
        if (served) return served
      }
      run.waitedMs = queueMs
    }
    throw this.exhausted(input, run)
  }

  private fresh(candidate: Candidate, passthroughTokens: string[] | undefined): Attempt {
    const passthrough = candidate.instance.settings.passthrough_tokens && passthroughTokens?.length ? [...passthroughTokens] : undefined
    return { candidate, request: undefined, known: undefined, tried: new Set(), passthrough, reason: '', busy: false }
  }

  /** Try the candidate's credentials in turn; with a deadline, wait in line for a busy one. */
  private async attempt<R>(
    a: Attempt,
    input: CallInput,
    run: Run,
    deadline: number | undefined,
    use: (a: Attempt, lease: Lease) => Promise<R>,
  ): Promise<R | undefined> {
    const { instance, spec } = a.candidate
    for (;;) {
      let lease: Lease | undefined
      if (a.passthrough) lease = a.passthrough.length ? this.pool.passthroughLease(instance.name, a.passthrough.shift()!) : undefined
      else {
        const opts = { spec, prefer: a.known?.credentialId, exclude: a.tried }
        const claimed = this.pool.claim(instance, opts)
        lease = claimed instanceof Promise ? await claimed : claimed
        if (!lease && deadline !== undefined) lease = await this.pool.waitForLease(instance, opts, deadline - performance.now(), input.signal)
      }
      if (!lease) break
      if (lease.view.id !== null) a.tried.add(lease.view.id)
      try {
        return await use(a, lease)
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

  private exhausted(input: CallInput, run: Run): RelayFailure {
    const { lastError } = run
    const reasons = run.attempts.map((a) => `${a.candidate.instance.name}: ${a.reason}`)
    const waited = run.waitedMs ? ` (waited ${run.waitedMs} ms for a free slot)` : ''
    const exhausted = input.plan.candidates.map((c) => c.instance.adapter.exhaustedMessage).find(Boolean)
    const summary = `${exhausted ? `${exhausted}: ` : ''}no usable credential for ${reasons.join('; ')}${waited}`
    if (exhausted && (!lastError || lastError.kind === 'credential_invalid')) return new RelayFailure(summary, 'no_credential')
    if (lastError) return new RelayFailure(`${lastError.message} (${summary})`, lastError.kind, lastError.upstreamStatus)
    return new RelayFailure(summary, 'no_credential')
  }

  /** Call the adapter; the stream once its first event came (not an async function: one promise per attempt). */
  private start(candidate: Candidate, request: ChatRequest, lease: Lease, signal: AbortSignal, t0: number): Promise<RelayStream> {
    const { instance } = candidate
    // The adapter's own signal: the client's going away aborts it, and so does a silent upstream.
    const call = takeController()
    const forward = () => call.abort(signal.reason)
    if (signal.aborted) forward()
    else signal.addEventListener('abort', forward)
    // The attempt is over: stop following the client, and the controller goes back for another
    // attempt (kept only if nothing watches it any more).
    const endAttempt = () => {
      signal.removeEventListener('abort', forward)
      giveBackController(call)
    }
    const ctx = callContext(instance, lease, call.signal, this.log)
    const dispatchMs = performance.now() - t0
    let iterator: AsyncIterator<DeltaEvent>
    try {
      // Upstreams without function calling (web chats) get the tools in the prompt, and their
      // answer is read for calls; the stream and the conversation memory keep the client's view.
      const emulate = shouldEmulate(request, instance.settings)
      const answer = instance.adapter.chat(emulate ? emulateToolsRequest(request) : request, ctx)
      iterator = (emulate ? extractToolCalls(answer, extractOptionsFor(request)) : answer)[Symbol.asyncIterator]()
    } catch (err) {
      endAttempt()
      return Promise.reject(err)
    }
    return firstEvent(iterator, instance, call, endAttempt, (first) => {
      if (first.done) throw protocolError(`${instance.name} returned an empty response`, { provider: instance.name })
      return new RelayStream(instance, candidate, request, lease.view.id, dispatchMs, first.value, iterator, (s) => {
        endAttempt()
        this.finish(s, lease)
      })
    })
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
      this.conversations
        .remember(instance.name, request.model, lease.view.id, request.messages, tally.text, ref, tally.calls())
        .catch((err: unknown) => this.log.error(`could not store the ${instance.name} conversation: ${(err as Error).message}`))
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
 * call is aborted, so its connection closes, and the relay fails over). Resolves with what `open`
 * makes of it; a failure (or `open` throwing) runs `failed` first.
 */
function firstEvent<T>(
  iterator: AsyncIterator<DeltaEvent>,
  instance: ProviderInstance,
  call: AbortController,
  failed: () => void,
  open: (first: IteratorResult<DeltaEvent>) => T,
): Promise<T> {
  // One promise and one timer per call, not Promise.race: this runs for every request.
  return new Promise<T>((resolve, reject) => {
    let timedOut = false
    const fail = (err: unknown) => {
      failed()
      reject(err)
    }
    const ms = instance.settings.timeout_ms
    const timer = setTimeout(() => {
      timedOut = true
      const err = upstreamTimeout(`${instance.name} sent no content within ${ms} ms`, { provider: instance.name })
      call.abort(err) // before fail(): an aborted controller is never given back
      fail(err)
      iterator.return?.().catch(() => undefined)
    }, ms)
    iterator.next().then(
      (first) => {
        clearTimeout(timer)
        if (timedOut) return // a late first event: the attempt already failed (and was aborted)
        try {
          resolve(open(first))
        } catch (err) {
          fail(err)
        }
      },
      (err: unknown) => {
        clearTimeout(timer)
        if (!timedOut) fail(err)
      },
    )
  })
}

/** What to tell a caller whose model's provider has no credential at all. */
function howToAdd(provider: string): string {
  return `no credentials (add one with PUT /api/cookie {"provider": "${provider}", "cookie": "..."} or under providers.${provider}.credentials in config.yaml)`
}
