// The self-healing pool: picks the least-recently-used healthy credential that can afford the
// model, limits concurrency per credential, and turns failures into status changes.
import type { Config } from '../config/schema.js'
import type { UpstreamError } from '../kit/errors.js'
import { type Logger, mask } from '../kit/log.js'
import type { CredentialHealth, CredentialView, ModelSpec } from '../kit/types.js'
import type { Db } from '../db/client.js'
import {
  type Credential,
  type CredentialPatch,
  getCredential,
  touchCredentials,
  listCredentials,
  updateCredential,
} from '../db/credentials.repo.js'
import type { SecretBox } from '../db/secret-box.js'
import type { ProviderInstance } from './provider-registry.js'

export interface Lease {
  provider: string
  view: CredentialView
  /** Stored credential, or undefined for a pass-through token. */
  entry?: Credential
  saveState(patch: Record<string, unknown>): void
}

export interface PickOptions {
  spec: ModelSpec
  prefer?: number
  exclude: ReadonlySet<number>
}

const QUOTA_COOLDOWN_MS = 60 * 60_000

export class CredentialPool {
  private readonly cache = new Map<string, Credential[]>()
  private readonly inFlight = new Map<number, number>()

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly cfg: Config['pool'],
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  entries(provider: string): Credential[] {
    let list = this.cache.get(provider)
    if (!list) {
      list = listCredentials(this.db, this.box, provider)
      this.cache.set(provider, list)
    }
    return list
  }

  /** Forget cached rows after an admin change. */
  invalidate(provider?: string): void {
    if (provider) this.cache.delete(provider)
    else this.cache.clear()
  }

  private usable(c: Credential, instance: ProviderInstance, spec: ModelSpec, t: number): boolean {
    if (c.status === 'disabled' || c.status === 'invalid') return false
    if (c.status === 'cooling' && (c.cooldownUntil ?? 0) > t) return false
    if ((this.inFlight.get(c.id) ?? 0) >= instance.settings.concurrency) return false
    return instance.adapter.canServe ? instance.adapter.canServe(spec, toView(c)) : true
  }

  acquire(instance: ProviderInstance, opts: PickOptions): Lease | undefined {
    const t = this.now()
    const candidates = this.entries(instance.name).filter(
      (c) => !opts.exclude.has(c.id) && this.usable(c, instance, opts.spec, t),
    )
    if (!candidates.length) return undefined
    const preferred = opts.prefer === undefined ? undefined : candidates.find((c) => c.id === opts.prefer)
    const pick = preferred ?? candidates.reduce((a, b) => ((a.lastUsedAt ?? 0) <= (b.lastUsedAt ?? 0) ? a : b))
    if (pick.status === 'cooling') this.patch(pick, { status: 'active', cooldownUntil: null })
    pick.lastUsedAt = t
    this.inFlight.set(pick.id, (this.inFlight.get(pick.id) ?? 0) + 1)
    return this.leaseFor(instance.name, pick)
  }

  /** Pass-through tokens from the caller: used for this request only, never stored. */
  passthroughLease(provider: string, secret: string): Lease {
    const state: Record<string, unknown> = {}
    return {
      provider,
      view: { id: null, secret, state },
      saveState: (patch) => Object.assign(state, patch),
    }
  }

  private leaseFor(provider: string, c: Credential): Lease {
    return {
      provider,
      entry: c,
      view: toView(c),
      saveState: (patch) => {
        c.state = { ...c.state, ...patch }
        updateCredential(this.db, this.box, c.id, { state: c.state })
      },
    }
  }

  /** The call is over: free the slot and learn from how it went. */
  release(lease: Lease, outcome: 'ok' | 'aborted' | UpstreamError): void {
    const c = lease.entry
    if (!c) return
    this.inFlight.set(c.id, Math.max(0, (this.inFlight.get(c.id) ?? 1) - 1))
    if (outcome === 'aborted') return
    if (outcome === 'ok') {
      // The hot path: write only when health changed; last-used times are batched.
      if (c.failures || c.lastError || c.status === 'cooling') this.patch(c, { failures: 0, lastError: null, status: 'active' })
      this.touch(c)
      return
    }
    const failures = c.failures + 1
    const lastError = outcome.message.slice(0, 300)
    switch (outcome.kind) {
      case 'credential_invalid':
        this.log.warn(`credential ${c.id} (${mask(c.secret)}) of ${c.provider} is invalid: ${lastError}`)
        this.patch(c, { status: 'invalid', failures, lastError })
        return
      case 'rate_limited':
        this.cool(c, failures, lastError, outcome.retryAfterMs ?? this.backoff(failures))
        return
      case 'quota_exhausted':
        this.cool(c, failures, lastError, outcome.retryAfterMs ?? QUOTA_COOLDOWN_MS)
        return
      case 'invalid_request':
      case 'not_supported':
        return // the request's fault, not the credential's
      default:
        if (failures >= this.cfg.max_transient_failures) this.cool(c, failures, lastError, this.backoff(failures))
        else this.patch(c, { failures, lastError })
    }
  }

  private backoff(failures: number): number {
    return Math.min(this.cfg.cooldown_ms * 2 ** Math.max(0, failures - 1), this.cfg.max_cooldown_ms)
  }

  private cool(c: Credential, failures: number, lastError: string, ms: number): void {
    this.patch(c, { status: 'cooling', cooldownUntil: this.now() + ms, failures, lastError })
  }

  private readonly usedAt = new Map<number, number>()
  private touchTimer: NodeJS.Timeout | undefined

  private touch(c: Credential): void {
    if (c.lastUsedAt === null) return
    this.usedAt.set(c.id, c.lastUsedAt)
    this.touchTimer ??= setTimeout(() => this.flushTouches(), 1000).unref()
  }

  /** Write batched last-used times (also called before anything reads them from the database). */
  flushTouches(): void {
    clearTimeout(this.touchTimer)
    this.touchTimer = undefined
    if (!this.usedAt.size) return
    touchCredentials(this.db, this.usedAt)
    this.usedAt.clear()
  }

  /** Why nothing could be picked, e.g. "2 invalid, 1 cooling". */
  summary(instance: ProviderInstance, spec: ModelSpec, tried: ReadonlySet<number>): string {
    const t = this.now()
    const counts = new Map<string, number>()
    for (const c of this.entries(instance.name)) {
      let label: string
      if (c.status === 'disabled' || c.status === 'invalid') label = c.status
      else if (c.status === 'cooling' && (c.cooldownUntil ?? 0) > t) label = 'cooling'
      else if (tried.has(c.id)) label = 'failed'
      else if ((this.inFlight.get(c.id) ?? 0) >= instance.settings.concurrency) label = 'busy'
      else if (instance.adapter.canServe && !instance.adapter.canServe(spec, toView(c))) label = 'without enough credit'
      else label = 'available'
      counts.set(label, (counts.get(label) ?? 0) + 1)
    }
    if (!counts.size) return 'no credentials configured'
    return [...counts].map(([k, n]) => `${n} ${k}`).join(', ')
  }

  /** Apply what a probe found. */
  applyHealth(id: number, health: CredentialHealth): Credential | undefined {
    const c = this.find(id)
    if (!c) return undefined
    const patch: CredentialPatch = { lastProbedAt: this.now() }
    if (health.account !== undefined) patch.account = health.account
    if (health.credit !== undefined) patch.credit = health.credit
    if (health.advancedCredit !== undefined) patch.advancedCredit = health.advancedCredit
    if (health.subscribed !== undefined) patch.subscribed = health.subscribed
    if (c.status !== 'disabled') {
      if (health.ok) Object.assign(patch, { status: 'active', failures: 0, lastError: null, cooldownUntil: null })
      else Object.assign(patch, { status: 'invalid', lastError: (health.reason ?? 'probe failed').slice(0, 300) })
    }
    this.patch(c, patch)
    return c
  }

  find(id: number): Credential | undefined {
    for (const list of this.cache.values()) {
      const hit = list.find((c) => c.id === id)
      if (hit) return hit
    }
    const fresh = getCredential(this.db, this.box, id)
    if (fresh) this.invalidate(fresh.provider)
    return fresh ? this.entries(fresh.provider).find((c) => c.id === id) : undefined
  }

  leaseForProbe(provider: string, id: number): Lease | undefined {
    const c = this.find(id)
    return c ? this.leaseFor(provider, c) : undefined
  }

  private patch(c: Credential, patch: CredentialPatch): void {
    Object.assign(c, patch)
    updateCredential(this.db, this.box, c.id, patch)
  }
}

export function toView(c: Credential): CredentialView {
  return { id: c.id, secret: c.secret, state: c.state, credit: c.credit, advancedCredit: c.advancedCredit, subscribed: c.subscribed }
}
