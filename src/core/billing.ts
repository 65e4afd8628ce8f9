// Token balances: reserve an estimate before a request, settle to the real usage after it, each in
// one transaction that first locks the user's row (lockUser: SELECT … FOR UPDATE on PostgreSQL and
// MySQL; on SQLite transactions run one at a time), so parallel requests, in this process or in
// other instances on the same database, queue on the balance instead of overspending.
import { BatchWriter } from './batch-writer.js'
import type { z } from 'zod'
import type { Config, priceSchema } from '../config/schema.js'
import type { Db } from '../db/client.js'
import { type NewRecord, insertRecords } from '../db/records.repo.js'
import { type NewUsage, insertUsageBatch } from '../db/usage.repo.js'
import { holdsOfInstance, insertHold, lockUser, setAvailable, staleHolds, takeHold } from '../db/users.repo.js'
import type { Logger } from '../kit/log.js'
import type { Usage } from './tally.js'
import type { UsageRecorder } from './usage-recorder.js'

export type Price = z.infer<typeof priceSchema>
/** The part of a price a chat turn uses. */
export type TokenPrice = Pick<Price, 'prompt' | 'completion' | 'per_call'>

/** The balance cannot cover the estimate. */
export class InsufficientQuota extends Error {
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(`insufficient token balance: this request needs up to ${needed}, ${available} available`)
    this.name = 'InsufficientQuota'
  }
}

/** What a media job made, as billed. */
export interface MediaMade {
  images?: number | undefined
  seconds?: number | undefined
  promptTokens?: number | undefined
  completionTokens?: number | undefined
}

export interface Hold {
  id: number
  userId: string
  amount: number
}

export interface TurnReservation {
  hold: Hold | undefined
  /** Completion tokens the balance affords, when fewer than the client asked for (or the default reserve). */
  limit: number | undefined
}

export interface Settlement {
  userId: string | null
  hold: Hold | undefined
  price: TokenPrice | undefined
  /** Usage to bill; undefined bills nothing (failed upstream, nothing delivered). */
  usage: Usage | undefined
  /** A charge computed elsewhere (media jobs: images, seconds, calls), instead of the tokens' cost. */
  amount?: number | undefined
  /** The settlement's own rows (built for it, not shared): settle fills in the charge, no copies. */
  usageRow: NewUsage
  record: NewRecord | undefined
  /** What kind of request it was (RECORD_*), for the metrics' route label. */
  recordType?: number | undefined
  /** The provider that served it, or the first one planned when none did (for the metrics). */
  provider?: string | undefined
}

// Balances are reals; rounding each charge keeps sums exact enough to compare and display.
const round = (n: number) => Math.round(n * 1e6) / 1e6

export class Billing {
  private readonly records: BatchWriter<NewRecord>

  constructor(
    private readonly db: Db,
    private readonly config: Config['billing'],
    private readonly recorder: UsageRecorder,
    private readonly log: Logger,
    /** Which process holds reservations (see releaseLeftBehind). */
    private readonly instanceId: string,
  ) {
    this.records = new BatchWriter((rows) => insertRecords(db, rows), log, 'records')
  }

  /** The price of the first name that has one (requested name, route name, upstream model). */
  priceOf(names: readonly string[]): Price | undefined {
    for (const n of names) {
      const p = this.config.prices[n]
      if (p) return p
    }
    return undefined
  }

  get requirePrice(): boolean {
    return this.config.require_price
  }

  cost(price: TokenPrice, promptTokens: number, completionTokens: number): number {
    const raw = (price.prompt * promptTokens + price.completion * completionTokens) / 1000 + price.per_call
    return round(raw * this.config.token_base_multiplier)
  }

  /**
   * Reserve a chat turn: its prompt and as much answer as the client wants (max_tokens, else
   * billing.reserve_completion_tokens) and the balance still affords, in one transaction, so
   * parallel turns share what is left. Refuses (InsufficientQuota) only when the balance cannot
   * cover the prompt plus billing.min_completion_tokens of answer. `limit` is set when the balance,
   * not the client, decides how long the answer may be: the upstream must stop there.
   */
  reserveTurn(userId: string, requestId: string, price: TokenPrice, promptTokens: number, want: number | undefined): Promise<TurnReservation> {
    const promptCost = this.cost(price, promptTokens, 0)
    const perToken = (price.completion / 1000) * this.config.token_base_multiplier
    const wanted = want ?? this.config.reserve_completion_tokens
    return this.db.transaction(async (tx) => {
      const available = (await lockUser(tx, userId))?.availToken ?? 0
      const floor = this.config.min_completion_tokens
      let tokens = wanted
      let limit: number | undefined
      if (perToken > 0) {
        const affordable = Math.floor((available - promptCost) / perToken + 1e-9)
        if (affordable < floor) throw new InsufficientQuota(round(promptCost + floor * perToken), round(available))
        if (affordable < wanted) {
          tokens = affordable
          limit = affordable
        }
      } else if (available < promptCost) throw new InsufficientQuota(promptCost, round(available))
      const amount = round(promptCost + tokens * perToken)
      if (amount <= 0) return { hold: undefined, limit }
      await setAvailable(tx, userId, round(available - amount))
      const row = await insertHold(tx, { userId, requestId, amount, instanceId: this.instanceId, createdAt: Date.now() })
      return { hold: { id: row.id, userId, amount }, limit }
    })
  }

  /**
   * What a media job costs: per_image for each image, per_second of video or music, per_call once,
   * prompt/completion per 1K tokens (vision, speech), all times token_base_multiplier.
   */
  mediaCost(price: Price, made: MediaMade): number {
    const raw =
      price.per_call +
      price.per_image * (made.images ?? 0) +
      price.per_second * (made.seconds ?? 0) +
      (price.prompt * (made.promptTokens ?? 0) + price.completion * (made.completionTokens ?? 0)) / 1000
    return round(raw * this.config.token_base_multiplier)
  }

  /**
   * Take `amount` from the user's available balance, or throw InsufficientQuota. `holder` names who
   * settles it: this process by default (a crash gives it back at the next start); media tasks hold
   * under their own name, since a restarted relay finishes them and settles then.
   */
  async reserve(userId: string, requestId: string, amount: number, holder = this.instanceId): Promise<Hold | undefined> {
    if (amount <= 0) return undefined
    return this.db.transaction(async (tx) => {
      const available = (await lockUser(tx, userId))?.availToken ?? 0
      if (available < amount) throw new InsufficientQuota(amount, round(available))
      await setAvailable(tx, userId, round(available - amount))
      const row = await insertHold(tx, { userId, requestId, amount, instanceId: holder, createdAt: Date.now() })
      return { id: row.id, userId, amount }
    })
  }

  /**
   * Release the hold, charge the actual cost (never more than the user has), and write the usage
   * row and the record carrying the charge: all in one transaction, so a charge always has both.
   * Returns what was charged. `db` is the caller's transaction when the settlement is part of one.
   * A settlement that charges nothing queues its rows and returns 0 at once (no promise).
   */
  settle(s: Settlement, db: Db = this.db): number | Promise<number> {
    const tokens = s.price && s.usage ? this.cost(s.price, s.usage.promptTokens, s.usage.completionTokens) : 0
    const wanted = s.amount ?? tokens
    if (!s.userId || (!s.hold && wanted <= 0)) {
      s.usageRow.charged = 0
      this.recorder.record(s.usageRow, s.recordType, s.provider)
      if (s.record) {
        s.record.token = 0
        this.queueRecord(s.record)
      }
      return 0
    }
    return this.charge(s, db, s.userId, wanted)
  }

  private async charge(s: Settlement, db: Db, userId: string, wanted: number): Promise<number> {
    const charged = await db.transaction(async (tx) => {
      // The user first, then the hold: every balance transaction locks in this order.
      const user = await lockUser(tx, userId)
      const held = s.hold ? ((await takeHold(tx, s.hold.id))?.amount ?? 0) : 0
      const available = (user?.availToken ?? 0) + held
      const charged = round(Math.max(0, Math.min(wanted, available)))
      if (held > 0 || charged > 0) await setAvailable(tx, userId, round(available - charged))
      s.usageRow.charged = charged
      await insertUsageBatch(tx, [s.usageRow])
      if (s.record) await insertRecords(tx, [Object.assign(s.record, { userId, requestId: s.usageRow.requestId, token: charged })])
      return charged
    })
    this.recorder.seen(s.usageRow, s.recordType, s.provider)
    return charged
  }

  /** Give back holds of requests that never settled (the process died mid-request). */
  async releaseStale(now = Date.now()): Promise<number> {
    return this.giveBack(await staleHolds(this.db, now - this.config.hold_ttl_ms), 'stale')
  }

  /**
   * At start: whatever this instance held when it last stopped belongs to requests that died
   * with it (a crash or a kill), so it goes back to the users at once, not after hold_ttl_ms.
   */
  async releaseLeftBehind(): Promise<number> {
    return this.giveBack(await holdsOfInstance(this.db, this.instanceId), 'left behind by the last run')
  }

  private async giveBack(stale: readonly Hold[], why: string): Promise<number> {
    for (const h of stale) {
      await this.db.transaction(async (tx) => {
        const available = (await lockUser(tx, h.userId))?.availToken ?? 0
        if (!(await takeHold(tx, h.id))) return
        await setAvailable(tx, h.userId, round(available + h.amount))
      })
    }
    if (stale.length) this.log.warn(`released ${stale.length} billing holds (${why})`)
    return stale.length
  }

  /** A settlement that failed (the database went away): logged, since no request waits for it. */
  reportFailure(what: string, err: unknown): number {
    this.log.error(`${what} failed: ${(err as Error).stack ?? String(err)}`)
    return 0
  }

  /** Unbilled records are batched like usage rows, off the response path. */
  private queueRecord(row: NewRecord): void {
    this.records.push(row)
  }

  flush(): Promise<void> {
    return this.records.flush()
  }
}
