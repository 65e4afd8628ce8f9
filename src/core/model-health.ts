// How each credential fares on each model with transient failures (5xx, timeouts, protocol):
// failures in a row, a cool-down once they reach the threshold, and the one trial call allowed
// while the pair is cooling or just back. Kept in memory behind this class, so a shared store can
// take its place without the pool changing.

export interface PairHealth {
  failures: number
  /** Cooling until this time (once failures reached the threshold). */
  until: number
  /** A trial call is running: nobody else uses the pair until it has answered. */
  trial: boolean
}

export class ModelHealth {
  private readonly pairs = new Map<number, Map<string, PairHealth>>()

  constructor(private readonly threshold: number) {}

  /** The pair once it has tripped (threshold failures in a row), else undefined. The hot path. */
  tripped(id: number, model: string): PairHealth | undefined {
    if (this.pairs.size === 0) return undefined
    const pair = this.pairs.get(id)?.get(model)
    return pair !== undefined && pair.failures >= this.threshold ? pair : undefined
  }

  /** Count a failure; once tripped the pair cools for cooldown(failures past the threshold, from 1). */
  failed(id: number, model: string, now: number, cooldown: (over: number) => number): PairHealth {
    const models = this.pairs.get(id) ?? new Map<string, PairHealth>()
    if (models.size === 0) this.pairs.set(id, models)
    const pair = models.get(model) ?? { failures: 0, until: 0, trial: false }
    if (pair.failures === 0) models.set(model, pair)
    pair.failures++
    if (pair.failures >= this.threshold) pair.until = now + cooldown(pair.failures - this.threshold + 1)
    return pair
  }

  /** A success clears the pair; true when it had tripped (so it healed). */
  succeeded(id: number, model: string): boolean {
    if (this.pairs.size === 0) return false
    const models = this.pairs.get(id)
    const pair = models?.get(model)
    if (models === undefined || pair === undefined) return false
    models.delete(model)
    if (models.size === 0) this.pairs.delete(id)
    return pair.failures >= this.threshold
  }

  /** Take over what another instance found for a pair: tripped (until) or healed (undefined). */
  adopt(id: number, model: string, found: { failures: number; until: number } | undefined): void {
    const models = this.pairs.get(id)
    if (found === undefined) {
      models?.delete(model)
      if (models?.size === 0) this.pairs.delete(id)
      return
    }
    const pair = models?.get(model)
    if (pair) Object.assign(pair, found)
    else if (models) models.set(model, { ...found, trial: false })
    else this.pairs.set(id, new Map([[model, { ...found, trial: false }]]))
  }

  endTrial(id: number, model: string): void {
    const pair = this.pairs.get(id)?.get(model)
    if (pair !== undefined) pair.trial = false
  }

  /** Forget a credential (removed, or its secret replaced). */
  forget(id: number): void {
    this.pairs.delete(id)
  }

  /** The models this credential has tripped on, with failures and when each cool-down ends. */
  tripping(id: number): { model: string; failures: number; until: number }[] {
    const out: { model: string; failures: number; until: number }[] = []
    for (const [model, pair] of this.pairs.get(id) ?? []) {
      if (pair.failures >= this.threshold) out.push({ model, failures: pair.failures, until: pair.until })
    }
    return out
  }
}
