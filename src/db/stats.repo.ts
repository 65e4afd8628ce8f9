// Aggregates over usage rows for the console's overview: hourly traffic, top users, top models.
// One indexed range scan on created_at per query; the console asks at most once a minute.
import { and, count, desc, gte, isNotNull, sql, sum } from 'drizzle-orm'
import type { Db } from './client.js'
import { intDiv } from './dialect.js'

const HOUR_MS = 3_600_000

export interface HourBucket {
  /** Start of the hour, epoch milliseconds. */
  hour: number
  requests: number
  promptTokens: number
  completionTokens: number
  /** Requests answered with a status of 400 or more (the client's or the upstream's). */
  errors: number
}

export interface Ranked {
  name: string
  requests: number
  tokens: number
}

/** One bucket per hour from `since` to `until`, empty hours included, oldest first. */
export async function hourlyTraffic(db: Db, since: number, until: number): Promise<HourBucket[]> {
  const u = db.t.usageRecords
  // Inlined, not bound: better-sqlite3 binds JS numbers as REAL, and REAL division keeps the fraction
  // (and PostgreSQL groups by the select's expression only when the text is the same).
  const hourOf = sql<number>`${intDiv(db, u.createdAt, HOUR_MS)} * ${sql.raw(String(HOUR_MS))}`
  const rows = await db.orm
    .select({
      hour: hourOf,
      requests: count(),
      promptTokens: sum(u.promptTokens),
      completionTokens: sum(u.completionTokens),
      errors: sql<number>`sum(case when ${u.status} >= 400 then 1 else 0 end)`,
    })
    .from(u)
    .where(gte(u.createdAt, since))
    .groupBy(hourOf)
  const byHour = new Map(rows.map((r) => [Number(r.hour), r]))
  const out: HourBucket[] = []
  for (let hour = Math.floor(since / HOUR_MS) * HOUR_MS; hour <= until; hour += HOUR_MS) {
    const r = byHour.get(hour)
    out.push({
      hour,
      requests: r?.requests ?? 0,
      promptTokens: Number(r?.promptTokens ?? 0),
      completionTokens: Number(r?.completionTokens ?? 0),
      errors: Number(r?.errors ?? 0),
    })
  }
  return out
}

/** The `limit` users or models with the most tokens since `since`. */
export async function topBy(db: Db, column: 'user' | 'model', since: number, limit: number): Promise<Ranked[]> {
  const u = db.t.usageRecords
  const col = column === 'user' ? u.userId : u.model
  const tokens = sql<number>`sum(${u.promptTokens} + ${u.completionTokens})`
  const rows = await db.orm
    .select({ name: col, requests: count(), tokens })
    .from(u)
    .where(and(gte(u.createdAt, since), isNotNull(col)))
    .groupBy(col)
    .orderBy(desc(tokens), desc(count()))
    .limit(limit)
  return rows.map((r) => ({ name: String(r.name), requests: r.requests, tokens: Number(r.tokens ?? 0) }))
}
