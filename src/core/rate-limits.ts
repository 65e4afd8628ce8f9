// Rate limits per client key, per key and model, and per user: requests per minute, tokens per
// minute and requests at once. Minutes are GCRA (one "theoretical arrival time" per bucket, so a
// burst of a minute's allowance passes and then one request per 60/rpm seconds): exact, O(1) and
// one number per bucket, which a shared store (Redis, one Lua script) can hold as well. The
// counters live behind LimitStore; the in-memory store serves one instance.
import { ChatFailure } from './chat/failure.js'

export const MINUTE = 60_000

/** One limited bucket; 0 means that dimension is not limited. */
export interface Rule {
  bucket: string
  rpm: number
  tpm: number
  concurrency: number
}

export interface Window {
  limit: number
  remaining: number
  resetMs: number
}

export interface Verdict {
  ok: boolean
  /** When refused: how long until the refused bucket lets one more request in. */
  retryAfterMs: number
  /** When refused: which limit, for the message. */
  reason?: string
  /** The tightest window of each kind, for the x-ratelimit-* headers. */
  requests?: Window | undefined
  tokens?: Window | undefined
  /** When admitted by a shared store: the lease of its concurrency slots, handed back to release. */
  ticket?: string
}

/** Where the counters live: in memory here, a shared store across instances later. */
export interface LimitStore {
  /** Check every rule and, when all pass, take one request and one slot from each (atomically). */
  admit(rules: readonly Rule[], now: number): Verdict | Promise<Verdict>
  /** Give back the slots admit took (ticket: the verdict's, when it had one). */
  release(rules: readonly Rule[], ticket?: string): void
  /** Count tokens a settled request used against a bucket's tpm (unknown buckets are ignored). */
  spend(bucket: string, tokens: number, now: number): void
}

interface Cell {
  requestsTat: number
  tokensTat: number
  tpm: number
  inflight: number
}

export class MemoryLimitStore implements LimitStore {
  private readonly cells = new Map<string, Cell>()

  admit(rules: readonly Rule[], now: number): Verdict {
    const refusal = this.refusal(rules, now)
    if (refusal) return this.describe(rules, now, refusal)
    for (const r of rules) {
      let cell = this.cells.get(r.bucket)
      if (!cell) {
        if (this.cells.size > 50_000) this.prune(now)
        cell = { requestsTat: now, tokensTat: now, tpm: r.tpm, inflight: 0 }
        this.cells.set(r.bucket, cell)
      }
      cell.tpm = r.tpm
      if (r.concurrency > 0) cell.inflight++
      if (r.rpm > 0) cell.requestsTat = Math.max(cell.requestsTat, now) + MINUTE / r.rpm
    }
    return this.describe(rules, now, { ok: true, retryAfterMs: 0 })
  }

  /** The first limit that refuses one more request now, if any. */
  private refusal(rules: readonly Rule[], now: number): Verdict | undefined {
    for (const r of rules) {
      const cell = this.cells.get(r.bucket)
      if (!cell) continue
      if (r.concurrency > 0 && cell.inflight >= r.concurrency) {
        return { ok: false, retryAfterMs: 1000, reason: `concurrent requests: limit ${r.concurrency}` }
      }
      if (r.rpm > 0) {
        const wait = Math.max(cell.requestsTat, now) + MINUTE / r.rpm - now - MINUTE
        if (wait > 0) return { ok: false, retryAfterMs: wait, reason: `requests per minute (rpm): limit ${r.rpm}` }
      }
      if (r.tpm > 0) {
        const wait = cell.tokensTat - now - (MINUTE - MINUTE / r.tpm)
        if (wait > 0) return { ok: false, retryAfterMs: wait, reason: `tokens per minute (tpm): limit ${r.tpm}` }
      }
    }
    return undefined
  }

  /** Adds the tightest request and token windows, for the headers. */
  private describe(rules: readonly Rule[], now: number, verdict: Verdict): Verdict {
    for (const r of rules) {
      const cell = this.cells.get(r.bucket)
      if (r.rpm > 0) verdict.requests = tighter(verdict.requests, windowOf(r.rpm, cell?.requestsTat ?? now, now))
      if (r.tpm > 0) verdict.tokens = tighter(verdict.tokens, windowOf(r.tpm, cell?.tokensTat ?? now, now))
    }
    return verdict
  }

  release(rules: readonly Rule[]): void {
    for (const r of rules) {
      const cell = this.cells.get(r.bucket)
      if (cell && r.concurrency > 0 && cell.inflight > 0) cell.inflight--
    }
  }

  spend(bucket: string, tokens: number, now: number): void {
    const cell = this.cells.get(bucket)
    if (cell && cell.tpm > 0 && tokens > 0) cell.tokensTat = Math.max(cell.tokensTat, now) + (tokens * MINUTE) / cell.tpm
  }

  /** Forget buckets that are back to their initial state. */
  private prune(now: number): void {
    for (const [k, c] of this.cells) if (c.inflight === 0 && c.requestsTat <= now && c.tokensTat <= now) this.cells.delete(k)
  }
}

export function windowOf(limit: number, tat: number, now: number): Window {
  const used = Math.max(0, tat - now)
  return { limit, remaining: Math.max(0, Math.floor(((MINUTE - used) * limit) / MINUTE)), resetMs: Math.ceil(used) }
}

export const tighter = (a: Window | undefined, b: Window): Window => (a && a.remaining <= b.remaining ? a : b)

/** A duration as OpenAI's reset headers write it: 120ms, 6s, 1m30s. */
export function resetText(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const s = Math.ceil(ms / 1000)
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`
}

/** The headers of a verdict (refused or not). */
export function limitHeaders(v: Verdict): Record<string, string> {
  const h: Record<string, string> = {}
  if (v.requests) {
    h['x-ratelimit-limit-requests'] = String(v.requests.limit)
    h['x-ratelimit-remaining-requests'] = String(v.requests.remaining)
    h['x-ratelimit-reset-requests'] = resetText(v.requests.resetMs)
  }
  if (v.tokens) {
    h['x-ratelimit-limit-tokens'] = String(v.tokens.limit)
    h['x-ratelimit-remaining-tokens'] = String(v.tokens.remaining)
    h['x-ratelimit-reset-tokens'] = resetText(v.tokens.resetMs)
  }
  if (!v.ok) h['retry-after'] = String(Math.max(1, Math.ceil(v.retryAfterMs / 1000)))
  return h
}

/** A refused request: 429 rate_limit_exceeded in every door's shape, with the headers. */
export class LimitExceeded extends ChatFailure {
  constructor(
    message: string,
    readonly headers: Record<string, string>,
    retryAfterMs: number,
  ) {
    super('rate_limited', message, { code: 'rate_limit_exceeded', retryAfterMs })
  }
}
