// One usage row per relayed request; request_id is unique, so a row can never be written twice.
import { and, desc, eq, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import { affected } from './dialect.js'
import { insertRows } from './prepared-insert.js'
import type { usageRecords } from './schema.js'

export type UsageRow = typeof usageRecords.$inferSelect
export type NewUsage = typeof usageRecords.$inferInsert

export const insertUsageBatch = (db: Db, rows: NewUsage[]): Promise<void> => insertRows(db, db.t.usageRecords, rows, true)

export interface UsageQuery {
  provider?: string
  clientKeyId?: number
  limit?: number
  offset?: number
}

export async function listUsage(db: Db, q: UsageQuery = {}): Promise<UsageRow[]> {
  const u = db.t.usageRecords
  const where = and(q.provider ? eq(u.provider, q.provider) : undefined, q.clientKeyId ? eq(u.clientKeyId, q.clientKeyId) : undefined)
  return db.orm
    .select()
    .from(u)
    .where(where)
    .orderBy(desc(u.id))
    .limit(q.limit ?? 100)
    .offset(q.offset ?? 0)
}

export async function findUsageByRequest(db: Db, requestId: string): Promise<UsageRow | undefined> {
  const u = db.t.usageRecords
  return (await db.orm.select().from(u).where(eq(u.requestId, requestId)).limit(1))[0]
}

export async function pruneUsage(db: Db, before: number): Promise<number> {
  const u = db.t.usageRecords
  return affected(await db.write(() => db.orm.delete(u).where(lt(u.createdAt, before))))
}
