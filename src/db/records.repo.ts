// Chat (and later media) records: what users asked and got, soft-deleted, pruned by age.
import { and, count, desc, eq, gte, inArray, lt, or } from 'drizzle-orm'
import type { Db } from './client.js'
import { affected } from './dialect.js'
import { insertRows } from './prepared-insert.js'
import type { records } from './schema.js'

export type RecordRow = typeof records.$inferSelect
export type NewRecord = typeof records.$inferInsert

export const insertRecords = (db: Db, rows: NewRecord[]): Promise<void> => insertRows(db, db.t.records, rows, false)

export interface RecordQuery {
  offset: number
  limit: number
  userId?: string
  isDeleted?: boolean
  /** The name the client used or the model that answered. */
  model?: string
  /** created_at bounds, epoch milliseconds: since inclusive, until exclusive. */
  since?: number
  until?: number
}

export async function listRecords(db: Db, q: RecordQuery): Promise<{ list: RecordRow[]; total: number }> {
  const r = db.t.records
  const where = and(
    q.userId ? eq(r.userId, q.userId) : undefined,
    q.isDeleted === undefined ? undefined : eq(r.isDeleted, q.isDeleted),
    q.model ? or(eq(r.model, q.model), eq(r.servedModel, q.model)) : undefined,
    q.since === undefined ? undefined : gte(r.createdAt, q.since),
    q.until === undefined ? undefined : lt(r.createdAt, q.until),
  )
  const list = await db.orm.select().from(r).where(where).orderBy(desc(r.id)).limit(q.limit).offset(q.offset)
  const total = (await db.orm.select({ n: count() }).from(r).where(where))[0]?.n ?? 0
  return { list, total }
}

export async function softDeleteRecords(db: Db, ids: number[]): Promise<number> {
  const r = db.t.records
  return ids.length ? affected(await db.write(() => db.orm.update(r).set({ isDeleted: true }).where(inArray(r.id, ids)))) : 0
}

export async function findRecordByRequest(db: Db, requestId: string): Promise<RecordRow | undefined> {
  const r = db.t.records
  return (await db.orm.select().from(r).where(eq(r.requestId, requestId)).limit(1))[0]
}

export async function pruneRecords(db: Db, before: number): Promise<number> {
  const r = db.t.records
  return affected(await db.write(() => db.orm.delete(r).where(lt(r.createdAt, before))))
}
