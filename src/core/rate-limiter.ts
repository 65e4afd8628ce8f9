// Which limits apply to a caller (its key's, the key's for the model, its user's, the config's
// defaults) and the admission of one request against them. Callers without limits cost one
// boolean check: `active` is false until some key, user or default has a limit.
import type { LimitSpec } from '../db/schema.js'
import { LimitExceeded, type LimitStore, type Rule, limitHeaders } from './rate-limits.js'

/** The key's limit fields (the client_keys row carries them). */
export interface KeyLimits extends LimitSpec {
  id: number
  userId: string | null
  limits?: { models?: Record<string, LimitSpec> } | null | undefined
}

export interface LimitSources {
  /** Config limits.defaults: each key without its own value gets these. */
  defaults(): LimitSpec | undefined
  userLimits(userId: string): LimitSpec | null | undefined | Promise<LimitSpec | null | undefined>
  /** Whether any key or user has a limit stored (asked again after invalidate()). */
  anyStored(): boolean | Promise<boolean>
}

/** What prepare hands back for an admitted request. */
export interface Admission {
  headers: Record<string, string>
  /** Give the concurrency slots back; safe to call more than once. */
  release: () => void
}

interface Plan {
  generation: number
  base: readonly Rule[]
  models: Map<string, readonly Rule[]>
}

const ruleOf = (bucket: string, own: LimitSpec | null | undefined, fallback?: LimitSpec): Rule | undefined => {
  const rpm = own?.rpm ?? fallback?.rpm ?? 0
  const tpm = own?.tpm ?? fallback?.tpm ?? 0
  const concurrency = own?.concurrency ?? fallback?.concurrency ?? 0
  return rpm || tpm || concurrency ? { bucket, rpm, tpm, concurrency } : undefined
}

export class RateLimiter {
  private generation = 0
  private anyLimit: boolean | undefined
  // Keyed by the cached key row: a changed key is a new row object, so its plan is rebuilt.
  private readonly plans = new WeakMap<KeyLimits, Plan>()

  constructor(
    readonly store: LimitStore,
    private readonly sources: LimitSources,
    private readonly now: () => number = Date.now,
  ) {}

  /** Until the stored limits have been looked at (they are read from the database), assume some. */
  get active(): boolean {
    if (this.anyLimit === undefined) this.lookForLimits()
    return this.anyLimit ?? true
  }

  private looking = false

  private lookForLimits(): void {
    if (this.looking) return
    this.looking = true
    const generation = this.generation
    const found = (any: boolean) => {
      this.looking = false
      if (generation === this.generation) this.anyLimit = Boolean(ruleOf('', this.sources.defaults())) || any
    }
    const any = this.sources.anyStored()
    if (any instanceof Promise) any.then(found, () => found(true))
    else found(any)
  }

  /** After a key's, a user's or the defaults' limits changed here (other instances: onInvalidate). */
  invalidate(): void {
    this.forget()
    this.onInvalidate?.()
  }

  /** Drop the cached plans: limits changed (here, or on another instance). */
  forget(): void {
    this.generation++
    this.anyLimit = undefined
  }

  onInvalidate: (() => void) | undefined

  /** The rules for a key and model; empty when nothing limits them. */
  async rulesFor(key: KeyLimits, model: unknown): Promise<readonly Rule[]> {
    let plan = this.plans.get(key)
    if (!plan || plan.generation !== this.generation) {
      const generation = this.generation
      const base: Rule[] = []
      const own = ruleOf(`k:${key.id}`, key, this.sources.defaults())
      if (own) base.push(own)
      const user = key.userId ? ruleOf(`u:${key.userId}`, await this.sources.userLimits(key.userId)) : undefined
      if (user) base.push(user)
      plan = { generation, base, models: new Map() }
      this.plans.set(key, plan)
    }
    const perModel = key.limits?.models
    if (!perModel || typeof model !== 'string' || !perModel[model]) return plan.base
    let rules = plan.models.get(model)
    if (!rules) {
      const r = ruleOf(`k:${key.id}:m:${model}`, perModel[model])
      rules = r ? [...plan.base, r] : plan.base
      plan.models.set(model, rules)
    }
    return rules
  }

  /** Admit one request or throw LimitExceeded (429) with its headers. */
  async admit(key: KeyLimits, model: unknown): Promise<Admission | undefined> {
    const rules = await this.rulesFor(key, model)
    if (rules.length === 0) return undefined
    const pending = this.store.admit(rules, this.now())
    const verdict = pending instanceof Promise ? await pending : pending
    const headers = limitHeaders(verdict)
    if (!verdict.ok) {
      this.onReject?.()
      const wait = Math.ceil(verdict.retryAfterMs / 1000)
      throw new LimitExceeded(`Rate limit reached for ${verdict.reason}. Please try again in ${wait}s.`, headers, verdict.retryAfterMs)
    }
    let released = false
    return {
      headers,
      release: () => {
        if (released) return
        released = true
        this.store.release(rules, verdict.ticket)
      },
    }
  }

  /** Count a settled request's tokens (from its usage row). */
  spend(keyId: number | null, userId: string | null, model: string, tokens: number): void {
    if (keyId === null || tokens <= 0 || !this.active) return
    const now = this.now()
    this.store.spend(`k:${keyId}`, tokens, now)
    this.store.spend(`k:${keyId}:m:${model}`, tokens, now)
    if (userId) this.store.spend(`u:${userId}`, tokens, now)
  }

  /** Called on each refusal (the metrics count them). */
  onReject: (() => void) | undefined
}
