// The media task engine: every image, video, song and transcription is a task. Submit reserves
// the price (402 before any upstream call), persists the task, and hands the job to a provider
// with the relay's failover; an upstream task is then polled with back-off until it ends or times
// out, and is settled exactly once (see ledger.ts). Tasks survive a restart: resume() picks up
// what the last run left running. A task belongs to its user (or, without one, to its key).
import type { Config } from '../../config/schema.js'
import type { Db } from '../../db/client.js'
import { type TaskRow, findTask, insertTask, listTasks, unfinishedTasks, updateTask } from '../../db/tasks.repo.js'
import { isAbortError } from '../../kit/errors.js'
import type { Logger } from '../../kit/log.js'
import { estimateTextTokens } from '../../kit/tokens.js'
import type { MediaJob, MediaKind, MediaRequest } from '../../kit/types.js'
import { type Billing, InsufficientQuota, type Price } from '../billing.js'
import type { Caller } from '../chat/caller.js'
import { ChatFailure } from '../chat/failure.js'
import { randomId } from '../ids.js'
import type { Relay } from '../relay.js'
import type { RoutePlan, Router } from '../router.js'
import { TaskEvents } from './events.js'
import { RECORD_TYPE_OF, endTask } from './ledger.js'
import { type PollDeps, Poller } from './poller.js'

export interface TaskEngineDeps extends PollDeps {
  db: Db
  router: Router
  relay: Relay
  billing: Billing
  log: Logger
  config: Config['tasks']
  reserveCompletionTokens: number
  storeContent: boolean
}

export interface SubmitInput {
  requestId: string
  clientRequestId?: string | undefined
  caller: Caller
  model: string
  /** Kinds the route accepts (/v1/videos takes video and music); the model's own kind decides. */
  kinds: readonly MediaKind[]
  request: Omit<MediaRequest, 'model' | 'kind'>
  /** A user the caller names (the seeds' user_uuid): allowed for keys that may act for others. */
  onBehalfOf?: string | null | undefined
  chatId?: string | null | undefined
  signal: AbortSignal
}

/** Reservations of tasks are held under this name, not the process's: a restart settles them. */
export const TASK_HOLDER = 'media-tasks'

const ID_PREFIX: Record<MediaKind, string> = { image: 'img_', video: 'video_', music: 'music_', transcription: 'audio_' }

/** Inline bytes (data: URLs) are not kept in the task row; the upstream has them once submitted. */
function storable(req: Omit<MediaRequest, 'model'>): Record<string, unknown> {
  const short = (v: string | undefined) => (v?.startsWith('data:') ? `[inline ${v.length} bytes]` : v)
  const out: Record<string, unknown> = { ...req, extra: req.extra }
  if (req.images) out.images = req.images.map(short)
  for (const k of ['audio', 'mask', 'lastFrame'] as const) if (req[k]) out[k] = short(req[k])
  return out
}

export class TaskEngine {
  readonly events = new TaskEvents()
  private readonly poller: Poller

  constructor(private readonly deps: TaskEngineDeps) {
    this.poller = new Poller(deps, this.events, (id, price, end) => this.end(id, price, end))
  }

  /** Submit a job; answers once the upstream took it (or, for synchronous upstreams, made it). */
  async submit(s: SubmitInput): Promise<TaskRow> {
    const { caller, model } = s
    if (caller.allowedModels && !caller.allowedModels.includes(model)) {
      throw new ChatFailure('permission', `this API key may not use model ${model}`, { code: 'model_not_allowed' })
    }
    const plan = this.planFor(model, s.kinds)
    const kind = plan.candidates[0]!.spec.kind as MediaKind
    const userId = actingUser(caller, s.onBehalfOf)
    const price = this.priceOf(model, plan)
    const id = ID_PREFIX[kind] + randomId('', 18)
    const now = Date.now()
    let hold: { id: number } | undefined
    if (userId && price) {
      try {
        hold = await this.deps.billing.reserve(userId, s.requestId, this.estimate(price, kind, s.request), TASK_HOLDER)
      } catch (err) {
        if (err instanceof InsufficientQuota) throw new ChatFailure('balance', err.message, { code: 'insufficient_quota' })
        throw err
      }
    }
    await insertTask(this.deps.db, {
      id,
      userId,
      keyId: caller.keyId,
      requestId: s.requestId,
      clientRequestId: s.clientRequestId ?? null,
      kind,
      model,
      status: 'submitting',
      request: storable({ ...s.request, kind }),
      holdId: hold?.id ?? null,
      chatId: s.chatId ?? null,
      recordType: RECORD_TYPE_OF[kind],
      createdAt: now,
      updatedAt: now,
    })
    let job: MediaJob
    try {
      let secret = ''
      const served = await this.deps.relay.call({ plan, signal: s.signal, passthroughTokens: caller.passthroughTokens }, async (ctx, candidate) => {
        secret = ctx.credential.secret
        const upstream = candidate.spec.upstream ?? candidate.spec.id
        await updateTask(this.deps.db, id, { provider: candidate.instance.name, credentialId: ctx.credential.id, upstreamModel: upstream })
        return candidate.instance.adapter.submitMedia!({ ...s.request, kind, model: upstream }, ctx)
      })
      job = served.result
      if (served.credentialId === null) this.poller.rememberSecret(id, secret)
    } catch (err) {
      const failure = isAbortError(err) || s.signal.aborted ? new ChatFailure('aborted', 'the client went away') : ChatFailure.from(err)
      await this.end(id, price, { failure })
      throw failure
    }
    if (job.status === 'completed' || job.status === 'failed' || !job.upstreamId) {
      const ending = job.status === 'failed' ? { failure: this.upstreamFailure(job.error) } : { done: job }
      return (await this.end(id, price, ending)) ?? (await findTask(this.deps.db, id))!
    }
    const patch = { status: job.status, progress: job.progress ?? 0, upstreamId: job.upstreamId, state: job.state ?? {}, updatedAt: Date.now() }
    await updateTask(this.deps.db, id, patch)
    const row = (await findTask(this.deps.db, id))!
    this.poller.publish(row)
    this.poller.schedule(row, price)
    return row
  }

  /** The caller's task, or undefined (someone else's task is as unknown as a missing one). */
  async get(id: string, caller: Caller): Promise<TaskRow | undefined> {
    const row = await findTask(this.deps.db, id)
    return row && owns(caller, row) ? row : undefined
  }

  list(caller: Caller, limit: number, before?: number): Promise<TaskRow[]> {
    return listTasks(this.deps.db, { userId: caller.userId, keyId: caller.keyId }, limit, before)
  }

  /** The task once it ended, or as it stands when `timeoutMs` passed or the signal aborted. */
  wait(id: string, timeoutMs: number, signal: AbortSignal): Promise<TaskRow> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        unsubscribe()
        signal.removeEventListener('abort', done)
        resolve(findTask(this.deps.db, id).then((row) => row!))
      }
      const unsubscribe = this.events.subscribe((e) => {
        if (e.id === id && e.final) done()
      })
      const timer = setTimeout(done, timeoutMs)
      signal.addEventListener('abort', done)
      findTask(this.deps.db, id).then((row) => {
        if (!row || row.status === 'completed' || row.status === 'failed' || signal.aborted) done()
      }, done)
    })
  }

  /** At start: poll on what the last run left running; a task caught mid-submit failed (nothing charged). */
  async resume(): Promise<number> {
    const rows = await unfinishedTasks(this.deps.db)
    for (const row of rows) {
      const price = this.priceOf(row.model)
      if (row.status === 'submitting' || !row.upstreamId) {
        await this.end(row.id, price, { failure: new ChatFailure('unavailable', 'the relay stopped while submitting this task') })
      } else this.poller.schedule(row, price, 0)
    }
    if (rows.length) this.deps.log.info(`resumed ${rows.length} media task(s) left by the last run`)
    return rows.length
  }

  /** Stop polling (shutdown); unfinished tasks stay in the database for the next start. */
  stop(): void {
    this.poller.stop()
  }

  /** Waits until every running poll has returned (tests, shutdown). */
  /** Unfinished tasks this instance polls (the task queue depth of /metrics). */
  get depth(): number {
    return this.poller.depth
  }

  idle(): Promise<void> {
    return this.poller.idle()
  }

  private async end(id: string, price: Price | undefined, end: Parameters<typeof endTask>[5]): Promise<TaskRow | undefined> {
    const row = await endTask(this.deps.db, this.deps.billing, this.deps.storeContent, id, price, end)
    if (row) this.poller.finished(row)
    return row
  }

  private upstreamFailure(error: string | undefined): ChatFailure {
    return new ChatFailure('unavailable', error ? `the upstream task failed: ${error}` : 'the upstream task failed')
  }

  private priceOf(model: string, plan?: RoutePlan): Price | undefined {
    return this.deps.billing.priceOf([model, ...(plan?.candidates.map((c) => c.spec.id) ?? [])])
  }

  /** The most this job may cost, reserved at submit; the charge is what was made. */
  private estimate(price: Price, kind: MediaKind, req: SubmitInput['request']): number {
    const timed = kind === 'video' || kind === 'music'
    return this.deps.billing.mediaCost(price, {
      images: kind === 'image' ? (req.n ?? 1) : 0,
      seconds: timed ? (req.seconds ?? this.deps.config.default_seconds) : 0,
      promptTokens: price.prompt > 0 ? estimateTextTokens(`${req.prompt ?? ''}${req.instructions ?? ''}`) : 0,
      completionTokens: price.completion > 0 ? this.deps.reserveCompletionTokens : 0,
    })
  }

  /** The route's candidates that make this kind of media; a model that makes another is a clear 400. */
  private planFor(model: string, kinds: readonly MediaKind[]): RoutePlan {
    const plan = this.deps.router.resolve(model)
    if (!plan) throw new ChatFailure('model_not_found', `The model \`${model}\` does not exist or is not enabled`, { param: 'model' })
    const fits = (k: unknown) => kinds.includes(k as MediaKind)
    const candidates = plan.candidates.filter((c) => fits(c.spec.kind) && c.instance.adapter.submitMedia)
    if (!candidates.length) {
      const kind = plan.candidates[0]?.spec.kind ?? 'chat'
      throw new ChatFailure('invalid_request', `model ${model} is a ${kind} model; this route takes ${kinds.join(' or ')} models`, {
        param: 'model',
      })
    }
    const first = candidates[0]!.spec.kind
    return { ...plan, candidates: candidates.filter((c) => c.spec.kind === first) }
  }
}

/** The user billed: the key's own, or the one it names when the key may act for others. */
function actingUser(caller: Caller, named: string | null | undefined): string | null {
  if (!named || named === caller.userId) return caller.userId
  if (!caller.actForOthers) throw new ChatFailure('permission', 'this API key may not act for another user', { code: 'permission_denied' })
  return named
}

/** A user's tasks are theirs (whichever of their keys asks); a task of a key without a user, that key's. */
function owns(caller: Caller, row: TaskRow): boolean {
  if (row.userId !== null) return row.userId === caller.userId
  return caller.userId === null && row.keyId === caller.keyId
}
