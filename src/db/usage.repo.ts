// One usage row per relayed request; request_id is unique, so a row can never be written twice.
import { and, desc, eq, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import { insertRow } from './prepared-insert.js'
import { usageRecords } from './schema.js'

export type UsageRow = typeof usageRecords.$inferSelect
export type NewUsage = typeof usageRecords.$inferInsert

export function insertUsageBatch(db: Db, rows: NewUsage[]): void {
  if (!rows.length) return
  db.$client.transaction(() => {
    for (const r of rows) insertRow(db, usageRecords, r)
  })()
}

export interface UsageQuery {
  provider?: string
  clientKeyId?: number
  limit?: number
  offset?: number
}

export function listUsage(db: Db, q: UsageQuery = {}): UsageRow[] {
  const where = and(
    q.provider ? eq(usageRecords.provider, q.provider) : undefined,
    q.clientKeyId ? eq(usageRecords.clientKeyId, q.clientKeyId) : undefined,
  )
  return db
    .select()
    .from(usageRecords)
    .where(where)
    .orderBy(desc(usageRecords.id))
    .limit(q.limit ?? 100)
    .offset(q.offset ?? 0)
    .all()
}

export const findUsageByRequest = (db: Db, requestId: string): UsageRow | undefined =>
  db.select().from(usageRecords).where(eq(usageRecords.requestId, requestId)).get()

export const pruneUsage = (db: Db, before: number): number =>
  db.delete(usageRecords).where(lt(usageRecords.createdAt, before)).run().changes
