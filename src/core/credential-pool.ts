// The self-healing pool: picks the least-recently-used healthy credential that can afford the
// model, limits concurrency per credential (a request waits in line for a slot), and turns
// failures into status changes. Auth, rate-limit and quota failures act on the whole credential;
// transient ones (5xx, timeouts, protocol) on the credential and model pair, so one model's
// trouble never takes the provider's other models down with it.
import type { Config } from '../config/schema.js'
import type { UpstreamError } from '../kit/errors.js'
import { type Logger, mask } from '../kit/log.js'
import type { CredentialHealth, CredentialView, ModelSpec } from '../kit/types.js'
import type { Db } from '../db/client.js'
import type { Credential, CredentialPatch } from '../db/credentials.repo.js'
import type { SecretBox } from '../db/secret-box.js'
import { type CredentialChange, CredentialStore } from './credential-store.js'
import { ModelHealth } from './model-health.js'
import type { ProviderInstance } from './provider-registry.js'
import { WaitingLine } from './waiting-line.js'
import type { PoolSharing } from './shared/pool-sharing.js'

export interface Lease {
  provider: string
  view: CredentialView
  /** Stored credential, or undefined for a pass-through token. */
  entry?: Credential
  /** The model (spec id) this call is for: transient failures count per credential and model. */
  model: string
  /** The one trial call of a cooling credential and model pair (half-open). */
  trial: boolean
  saveState(patch: Record<string, unknown>): void
  /** The credential's slot across instances (shared pool state), given back on release. */
  slot?: string
  /** With shared pool state: run work as the only instance doing it for this credential (token refresh). */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>
}


export interface PickOptions {
  spec: ModelSpec
  prefer?: number
  exclude: ReadonlySet<number>
}

type Label = 'disabled' | 'invalid' | 'cooling' | 'failed' | 'busy' | 'without enough credit' | 'available'

const QUOTA_COOLDOWN_MS = 60 * 60_000
const iso = (t: number) => new Date(t).toISOString()

export class CredentialPool {
  /** Every credential write goes through the store, which keeps what the pool reads current. */
  readonly store: CredentialStore
  private readonly inFlight = new Map<number, number>()
  /** Transient-failure health per credential and model. */
  private readonly health: ModelHealth
  /** Requests waiting for a slot, per provider instance, in arrival order. */
  private readonly line = new WaitingLine<Lease>()
  /** Set when instances share pool state (REDIS_URL). */
  sharing: PoolSharing | undefined

  constructor(
    db: Db,
    box: SecretBox,
    private readonly cfg: Config['pool'],
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.store = new CredentialStore(
      db,
      box,
      (c, change) => this.changed(c, change),
      (err) => this.log.error(`could not write a credential: ${err.message}`),
    )
    this.health = new ModelHealth(cfg.max_transient_failures)
  }

  entries(provider: string): readonly Credential[] {
    return this.store.list(provider)
  }

  find(id: number): Credential | undefined {
    return this.store.find(id)
  }

  /** Read the credentials (once, at start). */
  load(): Promise<void> {
    return this.store.load()
  }

  flushTouches(): Promise<void> {
    return this.store.flushTouches()
  }

  /** How long a request waits for a free slot before it gives up. */
  get queueTimeoutMs(): number {
    return this.cfg.queue_timeout_ms
  }

  /** Status, credential-wide cooling, free slot and credit: everything but the model's own health. */
  private ready(c: Credential, instance: ProviderInstance, spec: ModelSpec, t: number): boolean {
    if (c.status === 'disabled' || c.status === 'invalid') return false
    if (c.status === 'cooling' && (c.cooldownUntil ?? 0) > t) return false
    if ((this.inFlight.get(c.id) ?? 0) >= instance.settings.concurrency || this.sharing?.full(c.id)) return false
    return instance.adapter.canServe ? instance.adapter.canServe(spec, toView(c)) : true
  }

  /**
   * The least recently used ready credential whose pair with this model is healthy; when every
   * ready one is cooling for this model, one of them as a trial (at most one trial per pair).
   */
  acquire(instance: ProviderInstance, opts: PickOptions): Lease | undefined {
    const t = this.now()
    const model = opts.spec.id
    let pick: Credential | undefined
    let fallback: Credential | undefined
    for (const c of this.store.list(instance.name)) {
      if (opts.exclude.has(c.id) || !this.ready(c, instance, opts.spec, t)) continue
      const pair = this.health.tripped(c.id, model)
      if (pair !== undefined) {
        if (pair.trial) continue
        if (pair.until > t) {
          if (fallback === undefined || (c.lastUsedAt ?? 0) < (fallback.lastUsedAt ?? 0)) fallback = c
          continue
        }
      }
      if (c.id === opts.prefer) {
        pick = c
        break
      }
      if (pick === undefined || (c.lastUsedAt ?? 0) < (pick.lastUsedAt ?? 0)) pick = c
    }
    pick ??= fallback
    if (pick === undefined) return undefined
    if (pick.status === 'cooling') {
      this.store.update(pick, { status: 'active', cooldownUntil: null })
      this.report(pick, 'is active again (cool-down over)')
    }
    const tripped = this.health.tripped(pick.id, model)
    if (tripped !== undefined) tripped.trial = true
    pick.lastUsedAt = t
    this.inFlight.set(pick.id, (this.inFlight.get(pick.id) ?? 0) + 1)
    return this.leaseFor(instance.name, pick, model, tripped !== undefined)
  }

  /**
   * acquire(), or wait in line (FIFO per provider instance) until a slot frees up; undefined when
   * none did within timeoutMs, or when no credential could serve even with a free slot. A client
   * that goes away (signal) leaves the line.
   */
  async waitForLease(instance: ProviderInstance, opts: PickOptions, timeoutMs: number, signal: AbortSignal): Promise<Lease | undefined> {
    if (this.sharing) return this.waitShared(instance, opts, timeoutMs, signal)
    const lease = this.acquire(instance, opts)
    if (lease || timeoutMs <= 0 || !this.busy(instance, opts)) return lease
    return this.line.wait(instance.name, () => this.acquire(instance, opts), timeoutMs, signal)
  }

  /** waitForLease with slots shared across instances: a slot given here may be taken elsewhere first. */
  private async waitShared(instance: ProviderInstance, opts: PickOptions, timeoutMs: number, signal: AbortSignal): Promise<Lease | undefined> {
    const until = performance.now() + timeoutMs
    let lease = await this.claim(instance, opts)
    while (!lease && timeoutMs > 0 && this.busy(instance, opts)) {
      const left = until - performance.now()
      if (left <= 0) break
      lease = await this.line.wait(instance.name, () => this.acquire(instance, opts), left, signal)
      if (lease?.entry) lease = await this.confirm(instance, opts, lease)
    }
    return lease
  }

  /** acquire(), and with shared pool state the credential's slot across instances too. */
  claim(instance: ProviderInstance, opts: PickOptions): Lease | undefined | Promise<Lease | undefined> {
    const lease = this.acquire(instance, opts)
    return lease && this.sharing && lease.entry ? this.confirm(instance, opts, lease) : lease
  }

  private async confirm(instance: ProviderInstance, opts: PickOptions, lease: Lease): Promise<Lease | undefined> {
    const c = lease.entry!
    const slot = await this.sharing?.takeSlot(c, instance.settings.concurrency)
    if (slot !== null) {
      if (slot) lease.slot = slot
      return lease
    }
    // Other instances hold every slot: hand this one back untouched (full() now skips it) and try the next.
    this.inFlight.set(c.id, Math.max(0, (this.inFlight.get(c.id) ?? 1) - 1))
    if (lease.trial) this.health.endTrial(c.id, lease.model)
    return this.claim(instance, opts)
  }

  /** What another instance changed: applied to the row in memory (the shared database has it already). */
  adopt(id: number, patch: Partial<Credential>): void {
    const c = this.find(id)
    if (!c) return
    Object.assign(c, patch)
    this.line.wake(c.provider)
  }

  /** A pair another instance tripped (until) or healed (undefined). */
  adoptPair(id: number, model: string, pair: { failures: number; until: number } | undefined): void {
    this.health.adopt(id, model, pair)
    const c = this.find(id)
    if (c) this.line.wake(c.provider)
  }

  /** A slot freed up elsewhere: let a waiting request try again. */
  wake(provider: string): void {
    this.line.wake(provider)
  }

  /** How many requests wait for a slot of this provider instance. */
  queued(provider: string): number {
    return this.line.size(provider)
  }

  /** Pass-through tokens from the caller: used for this request only, never stored. */
  passthroughLease(provider: string, secret: string): Lease {
    const state: Record<string, unknown> = {}
    return {
      provider,
      model: '',
      trial: false,
      view: { id: null, secret, state },
      saveState: (patch) => Object.assign(state, patch),
    }
  }

  private leaseFor(provider: string, c: Credential, model: string, trial: boolean): Lease {
    const lease: Lease = {
      provider,
      entry: c,
      model,
      trial,
      view: toView(c),
      saveState: (patch) => this.store.update(c, { state: { ...c.state, ...patch } }),
    }
    const sharing = this.sharing
    // The state another instance stored is re-read first: the work sees (and reuses) its refresh.
    // The lock is held until what the work saved is written, so the next holder reads it (a
    // rotated refresh token read stale would be spent twice).
    if (sharing)
      lease.exclusive = (work) =>
        sharing.exclusive(c, () => Object.assign(lease.view, { state: c.state }), () => work().finally(() => this.store.settled()))
    return lease
  }

  /** The call is over: free the slot, learn from how it went, and let a waiting request in. */
  release(lease: Lease, outcome: 'ok' | 'aborted' | UpstreamError): void {
    const c = lease.entry
    if (!c) return
    this.inFlight.set(c.id, Math.max(0, (this.inFlight.get(c.id) ?? 1) - 1))
    if (lease.slot) this.sharing?.releaseSlot(lease.slot, c)
    if (lease.trial) this.health.endTrial(c.id, lease.model)
    // A credential deleted while the call ran has nothing left to learn.
    if (this.store.find(c.id) === c) {
      if (outcome === 'ok') this.succeeded(c, lease.model)
      else if (outcome !== 'aborted') this.failed(c, lease.model, outcome)
    }
    this.line.wake(lease.provider)
  }

  /** The hot path: write only when health changed; last-used times are batched. */
  private succeeded(c: Credential, model: string): void {
    if (this.health.succeeded(c.id, model)) {
      this.report(c, `is healthy again for ${model}`)
      this.sharing?.pairChanged(c.id, model, undefined)
    }
    // Only an active credential's counters are reset: a cool-down or an invalid verdict that another
    // call reported meanwhile stands (time or a probe ends it), and so does the operator's disable.
    if (c.status === 'active' && (c.failures || c.lastError)) this.store.update(c, { failures: 0, lastError: null, verified: true })
    else if (!c.verified) this.store.update(c, { verified: true })
    this.store.touch(c)
  }

  private failed(c: Credential, model: string, error: UpstreamError): void {
    const lastError = error.message.slice(0, 300)
    switch (error.kind) {
      case 'credential_invalid':
        this.markInvalid(c, lastError)
        return
      case 'rate_limited':
        this.cool(c, lastError, error.retryAfterMs ?? this.backoff(c.failures + 1))
        return
      case 'quota_exhausted':
        this.cool(c, lastError, error.retryAfterMs ?? QUOTA_COOLDOWN_MS)
        return
      case 'invalid_request':
      case 'not_supported':
      case 'internal':
        return // the request's fault or ours, never the credential's
      default:
        this.transient(c, model, lastError)
    }
  }

  private markInvalid(c: Credential, reason: string): void {
    if (c.status === 'disabled') {
      this.store.update(c, { lastError: reason })
      return
    }
    this.store.update(c, { status: 'invalid', failures: c.failures + 1, lastError: reason, verified: false })
    this.report(c, `is invalid: ${reason}`)
  }

  private cool(c: Credential, reason: string, ms: number): void {
    if (c.status === 'disabled' || c.status === 'invalid') {
      this.store.update(c, { lastError: reason })
      return
    }
    const until = this.now() + ms
    this.store.update(c, { status: 'cooling', cooldownUntil: until, failures: c.failures + 1, lastError: reason })
    this.report(c, `is cooling until ${iso(until)}: ${reason}`)
  }

  /** A transient failure cools only this credential for this model, after several in a row. */
  private transient(c: Credential, model: string, reason: string): void {
    const pair = this.health.failed(c.id, model, this.now(), (over) => this.backoff(over))
    if (pair.failures >= this.cfg.max_transient_failures) {
      this.report(c, `is cooling for ${model} until ${iso(pair.until)} after ${pair.failures} transient failures in a row: ${reason}`)
      this.sharing?.pairChanged(c.id, model, { failures: pair.failures, until: pair.until })
    }
    this.store.update(c, { lastError: reason })
  }

  private backoff(failures: number): number {
    return Math.min(this.cfg.cooldown_ms * 2 ** Math.max(0, failures - 1), this.cfg.max_cooldown_ms)
  }

  private report(c: Credential, what: string): void {
    this.log.warn(`credential ${c.id} (${mask(c.secret)}) of ${c.provider} ${what}`)
  }

  /** Models this credential is cooling for (transient failures), with the time each comes back. */
  coolingModels(id: number): { model: string; failures: number; until: number }[] {
    return this.health.tripping(id)
  }

  private label(c: Credential, instance: ProviderInstance, spec: ModelSpec, tried: ReadonlySet<number>, t: number): Label {
    if (c.status === 'disabled' || c.status === 'invalid') return c.status
    if (c.status === 'cooling' && (c.cooldownUntil ?? 0) > t) return 'cooling'
    if (tried.has(c.id)) return 'failed'
    const pair = this.health.tripped(c.id, spec.id)
    if ((this.inFlight.get(c.id) ?? 0) >= instance.settings.concurrency || pair?.trial || this.sharing?.full(c.id)) return 'busy'
    if (instance.adapter.canServe && !instance.adapter.canServe(spec, toView(c))) return 'without enough credit'
    return pair !== undefined && pair.until > t ? 'cooling' : 'available'
  }

  /** Could a credential serve this request once a slot (or a running trial) frees up? */
  busy(instance: ProviderInstance, opts: PickOptions): boolean {
    const t = this.now()
    return this.store.list(instance.name).some((c) => this.label(c, instance, opts.spec, opts.exclude, t) === 'busy')
  }

  /** Why nothing could be picked, e.g. "2 invalid, 1 cooling". */
  summary(instance: ProviderInstance, spec: ModelSpec, tried: ReadonlySet<number>): string {
    const t = this.now()
    const counts = new Map<string, number>()
    for (const c of this.store.list(instance.name)) {
      const label = this.label(c, instance, spec, tried, t)
      counts.set(label, (counts.get(label) ?? 0) + 1)
    }
    if (!counts.size) return 'no credentials configured'
    return [...counts].map(([k, n]) => `${n} ${k}`).join(', ')
  }

  /** Apply what a probe found: the upstream's own verdict on the credential. */
  applyHealth(id: number, health: CredentialHealth): Credential | undefined {
    const c = this.find(id)
    if (!c) return undefined
    const patch: CredentialPatch = { lastProbedAt: this.now() }
    if (health.account !== undefined) patch.account = health.account
    if (health.credit !== undefined) patch.credit = health.credit
    if (health.advancedCredit !== undefined) patch.advancedCredit = health.advancedCredit
    if (health.subscribed !== undefined) patch.subscribed = health.subscribed
    if (health.ok) patch.verified = true
    if (c.status === 'disabled') {
      this.store.update(c, patch)
    } else if (health.ok) {
      const was = c.status
      this.store.update(c, { ...patch, status: 'active', failures: 0, lastError: null, cooldownUntil: null })
      if (was !== 'active') this.report(c, `is active again (was ${was}; a probe succeeded)`)
    } else {
      this.store.update(c, patch)
      this.markInvalid(c, (health.reason ?? 'probe failed').slice(0, 300))
    }
    return c
  }

  /** A probe found the credential valid but out of credit: cool it as a request would. */
  applyQuota(id: number, error: UpstreamError): Credential | undefined {
    const c = this.find(id)
    if (!c) return undefined
    this.store.update(c, { lastProbedAt: this.now(), verified: true })
    this.cool(c, error.message.slice(0, 300), error.retryAfterMs ?? QUOTA_COOLDOWN_MS)
    return c
  }

  leaseForProbe(provider: string, id: number): Lease | undefined {
    const c = this.find(id)
    return c ? this.leaseFor(provider, c, '', false) : undefined
  }

  /** Keep in-memory health in step with what the store changed, and let waiting requests in. */
  private changed(c: Credential, change: CredentialChange): void {
    const sharing = this.sharing
    sharing?.changed(c, change)
    const rekeyed = typeof change === 'object' && change.secret !== undefined
    if (change === 'removed' || rekeyed) this.health.forget(c.id)
    if (change !== 'removed') this.line.wake(c.provider)
    // The other instances re-read the provider's credentials once the row is written.
    const listed = typeof change !== 'object' || rekeyed || change.remark !== undefined
    if (sharing && listed) void this.store.settled().then(() => sharing.credentialsChanged(c.provider))
  }

  /** Another instance added, removed or edited this provider's credentials (all providers' when none is named). */
  async reload(provider?: string): Promise<void> {
    try {
      const { added, removed, rekeyed } = await this.store.reload(provider)
      for (const c of [...removed, ...rekeyed]) this.health.forget(c.id)
      for (const c of [...added, ...rekeyed]) this.line.wake(c.provider)
    } catch (err) {
      this.log.warn(`could not re-read the credentials${provider ? ` of ${provider}` : ''}: ${(err as Error).message}`)
    }
  }
}

export function toView(c: Credential): CredentialView {
  return { id: c.id, secret: c.secret, state: c.state, credit: c.credit, advancedCredit: c.advancedCredit, subscribed: c.subscribed }
}
