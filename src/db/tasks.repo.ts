// Media tasks: written at submit, updated as the upstream task moves, read by their owner.
import { and, desc, eq, inArray, isNull, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import { affected, forUpdate, insertReturning } from './dialect.js'
import type { mediaTasks } from './schema.js'

export type TaskRow = typeof mediaTasks.$inferSelect
export type NewTask = typeof mediaTasks.$inferInsert
export type TaskPatch = Partial<Omit<TaskRow, 'id'>>

export const insertTask = (db: Db, row: NewTask): Promise<TaskRow> => insertReturning(db, db.t.mediaTasks, row)

export async function findTask(db: Db, id: string): Promise<TaskRow | undefined> {
  const m = db.t.mediaTasks
  return (await db.orm.select().from(m).where(eq(m.id, id)).limit(1))[0]
}

/** The task, locked until the transaction `tx` ends: its end is settled exactly once. */
export async function lockTask(tx: Db, id: string): Promise<TaskRow | undefined> {
  const m = tx.t.mediaTasks
  return (await forUpdate(tx, tx.orm.select().from(m).where(eq(m.id, id)).limit(1)))[0]
}

export async function updateTask(db: Db, id: string, patch: TaskPatch): Promise<void> {
  const m = db.t.mediaTasks
  await db.write(() => db.orm.update(m).set(patch).where(eq(m.id, id)))
}

/** Tasks that were still running upstream (or being submitted) when the last run stopped. */
export async function unfinishedTasks(db: Db): Promise<TaskRow[]> {
  const m = db.t.mediaTasks
  return db.orm
    .select()
    .from(m)
    .where(inArray(m.status, ['submitting', 'queued', 'in_progress']))
}

export interface TaskOwner {
  userId: string | null
  keyId: number | null
}

/** The owner's tasks, newest first; `before` is the created_at of the last one already seen. */
export async function listTasks(db: Db, owner: TaskOwner, limit: number, before?: number): Promise<TaskRow[]> {
  const m = db.t.mediaTasks
  const ownKey = owner.keyId === null ? isNull(m.keyId) : eq(m.keyId, owner.keyId)
  const who = owner.userId !== null ? eq(m.userId, owner.userId) : and(isNull(m.userId), ownKey)
  const where = and(who, before === undefined ? undefined : lt(m.createdAt, before))
  return db.orm.select().from(m).where(where).orderBy(desc(m.createdAt), desc(m.id)).limit(limit)
}

export async function pruneTasks(db: Db, before: number): Promise<number> {
  const m = db.t.mediaTasks
  const prune = db.orm.delete(m).where(and(lt(m.createdAt, before), inArray(m.status, ['completed', 'failed'])))
  return affected(await db.write(() => prune))
}
