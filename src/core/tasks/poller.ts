// Polling of upstream tasks: each running task has one timer; each poll asks the provider with
// the credential that submitted it, and the wait grows by half after every poll up to
// tasks.max_poll_interval_ms. A task unfinished after tasks.timeout_ms fails (nothing charged).
// Transient poll failures (the upstream is down a moment) are retried until then.
import type { Config } from '../../config/schema.js'
import type { Db } from '../../db/client.js'
import { type TaskRow, findTask, updateTask } from '../../db/tasks.repo.js'
import { UpstreamError } from '../../kit/errors.js'
import type { Logger } from '../../kit/log.js'
import type { MediaKind, MediaOutput, MediaSnapshot } from '../../kit/types.js'
import type { Price } from '../billing.js'
import { callContext } from '../call-context.js'
import { ChatFailure } from '../chat/failure.js'
import type { CredentialPool, Lease } from '../credential-pool.js'
import type { ProviderInstance } from '../provider-registry.js'
import type { TaskEvents } from './events.js'
import type { Ending } from './ledger.js'

export interface PollDeps {
  db: Db
  pool: CredentialPool
  instances: ReadonlyMap<string, ProviderInstance>
  log: Logger
  config: Config['tasks']
}

type End = (id: string, price: Price | undefined, end: Ending) => Promise<TaskRow | undefined>

export class Poller {
  private readonly timers = new Map<string, NodeJS.Timeout>()
  /** Pass-through tokens are never stored: a task submitted with one is polled with it from memory. */
  private readonly secrets = new Map<string, string>()
  private running = 0
  private readonly drained: (() => void)[] = []
  private stopped = false

  constructor(
    private readonly deps: PollDeps,
    private readonly events: TaskEvents,
    private readonly end: End,
  ) {}

  rememberSecret(id: string, secret: string): void {
    this.secrets.set(id, secret)
  }

  /** Poll after `delayMs` (by default the back-off for the polls made so far). */
  schedule(row: TaskRow, price: Price | undefined, delayMs = this.delay(row.polls)): void {
    if (this.stopped) return
    clearTimeout(this.timers.get(row.id))
    const timer = setTimeout(() => {
      this.timers.delete(row.id)
      this.running++
      this.poll(row.id, price)
        .catch((err: unknown) => this.deps.log.error(`polling task ${row.id} failed: ${(err as Error)?.stack ?? err}`))
        .finally(() => {
          this.running--
          if (this.running === 0) for (const wake of this.drained.splice(0)) wake()
        })
    }, delayMs)
    timer.unref()
    this.timers.set(row.id, timer)
  }

  publish(row: TaskRow): void {
    const status = row.status === 'submitting' ? 'queued' : row.status
    const final = status === 'completed' || status === 'failed'
    const urls = ((row.outputs ?? []) as MediaOutput[]).flatMap((o) => (o.url && /^https?:/i.test(o.url) ? [o.url] : []))
    this.events.publish({
      id: row.id,
      userId: row.userId,
      keyId: row.keyId,
      status,
      progress: status === 'completed' ? 100 : row.progress,
      final,
      kind: row.kind,
      model: row.model,
      chatId: row.chatId,
      urls,
      error: status === 'failed' ? (row.error ?? 'the task failed') : null,
    })
  }

  /** A task ended (here or at submit): no more polls, and everyone waiting hears of it. */
  finished(row: TaskRow): void {
    clearTimeout(this.timers.get(row.id))
    this.timers.delete(row.id)
    this.secrets.delete(row.id)
    this.publish(row)
  }

  stop(): void {
    this.stopped = true
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
  }

  /** Tasks waiting for their next poll, and those being polled now. */
  get depth(): number {
    return this.timers.size + this.running
  }

  idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.drained.push(resolve))
  }

  private delay(polls: number): number {
    const { poll_interval_ms: base, max_poll_interval_ms: max } = this.deps.config
    return Math.min(max, Math.round(base * 1.5 ** Math.min(polls, 30)))
  }

  private async poll(id: string, price: Price | undefined): Promise<void> {
    const row = await findTask(this.deps.db, id)
    if (!row || row.status === 'completed' || row.status === 'failed' || this.stopped) return
    if (Date.now() - row.createdAt > this.deps.config.timeout_ms) {
      const failure = new ChatFailure('timeout', `the task did not finish within ${this.deps.config.timeout_ms} ms`)
      return void (await this.end(id, price, { failure }))
    }
    const instance = row.provider ? this.deps.instances.get(row.provider) : undefined
    const lease = instance ? this.lease(row, instance) : undefined
    if (!instance?.adapter.pollMedia || !lease) {
      const why = instance ? 'the credential that submitted it is gone' : `provider ${row.provider} is no longer configured`
      return void (await this.end(id, price, { failure: new ChatFailure('no_credential', `cannot follow the task: ${why}`) }))
    }
    const ref = { kind: row.kind as MediaKind, model: row.upstreamModel ?? row.model, upstreamId: row.upstreamId!, state: row.state ?? {} }
    let snap: MediaSnapshot
    try {
      const ctx = callContext(instance, lease, AbortSignal.timeout(instance.settings.timeout_ms), this.deps.log)
      snap = await instance.adapter.pollMedia(ref, ctx)
    } catch (err) {
      if (this.stopped) return
      const retry = err instanceof UpstreamError ? err.retryable : false
      if (!retry) return void (await this.end(id, price, { failure: ChatFailure.from(err) }))
      this.deps.log.debug(`polling task ${id} on ${row.provider}: ${(err as Error).message}; trying again`)
      return this.again(row, price)
    }
    if (this.stopped) return
    if (snap.status === 'completed') return void (await this.end(id, price, { done: snap }))
    if (snap.status === 'failed') {
      const failure = new ChatFailure('unavailable', snap.error ? `the upstream task failed: ${snap.error}` : 'the upstream task failed')
      return void (await this.end(id, price, { failure }))
    }
    const progress = Math.max(row.progress, Math.min(99, Math.round(snap.progress ?? row.progress)))
    const moved = progress !== row.progress || snap.status !== row.status
    await updateTask(this.deps.db, id, { status: snap.status, progress, updatedAt: Date.now() })
    const next = { ...row, status: snap.status, progress }
    if (moved) this.publish(next)
    await this.again(next, price)
  }

  private async again(row: TaskRow, price: Price | undefined): Promise<void> {
    const polls = row.polls + 1
    await updateTask(this.deps.db, row.id, { polls })
    this.schedule({ ...row, polls }, price)
  }

  private lease(row: TaskRow, instance: ProviderInstance): Lease | undefined {
    if (row.credentialId !== null) return this.deps.pool.leaseForProbe(row.provider!, row.credentialId)
    const secret = this.secrets.get(row.id) ?? (instance.adapter.anonymous ? '' : undefined)
    return secret === undefined ? undefined : this.deps.pool.passthroughLease(row.provider!, secret)
  }
}
