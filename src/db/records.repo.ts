// Chat (and later media) records: what users asked and got, soft-deleted, pruned by age.
import { and, count, desc, eq, gte, inArray, lt, or } from 'drizzle-orm'
import type { Db } from './client.js'
import { insertRow } from './prepared-insert.js'
import { records } from './schema.js'

export type RecordRow = typeof records.$inferSelect
export type NewRecord = typeof records.$inferInsert

export function insertRecords(db: Db, rows: NewRecord[]): void {
  if (!rows.length) return
  db.$client.transaction(() => {
    for (const r of rows) insertRow(db, records, r, '')
  })()
}

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

export function listRecords(db: Db, q: RecordQuery): { list: RecordRow[]; total: number } {
  const where = and(
    q.userId ? eq(records.userId, q.userId) : undefined,
    q.isDeleted === undefined ? undefined : eq(records.isDeleted, q.isDeleted),
    q.model ? or(eq(records.model, q.model), eq(records.servedModel, q.model)) : undefined,
    q.since === undefined ? undefined : gte(records.createdAt, q.since),
    q.until === undefined ? undefined : lt(records.createdAt, q.until),
  )
  const list = db.select().from(records).where(where).orderBy(desc(records.id)).limit(q.limit).offset(q.offset).all()
  const total = db.select({ n: count() }).from(records).where(where).get()?.n ?? 0
  return { list, total }
}

export const softDeleteRecords = (db: Db, ids: number[]): number =>
  ids.length ? db.update(records).set({ isDeleted: true }).where(inArray(records.id, ids)).run().changes : 0

export const findRecordByRequest = (db: Db, requestId: string): RecordRow | undefined =>
  db.select().from(records).where(eq(records.requestId, requestId)).get()

export const pruneRecords = (db: Db, before: number): number =>
  db.delete(records).where(lt(records.createdAt, before)).run().changes
