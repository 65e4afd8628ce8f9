// Media tasks: written at submit, updated as the upstream task moves, read by their owner.
import { and, desc, eq, inArray, isNull, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import { mediaTasks } from './schema.js'

export type TaskRow = typeof mediaTasks.$inferSelect
export type NewTask = typeof mediaTasks.$inferInsert
export type TaskPatch = Partial<Omit<TaskRow, 'id'>>

export const insertTask = (db: Db, row: NewTask): TaskRow => db.insert(mediaTasks).values(row).returning().get()

export const findTask = (db: Db, id: string): TaskRow | undefined => db.select().from(mediaTasks).where(eq(mediaTasks.id, id)).get()

export const updateTask = (db: Db, id: string, patch: TaskPatch): void => {
  db.update(mediaTasks).set(patch).where(eq(mediaTasks.id, id)).run()
}

/** Tasks that were still running upstream (or being submitted) when the last run stopped. */
export const unfinishedTasks = (db: Db): TaskRow[] =>
  db
    .select()
    .from(mediaTasks)
    .where(inArray(mediaTasks.status, ['submitting', 'queued', 'in_progress']))
    .all()

export interface TaskOwner {
  userId: string | null
  keyId: number | null
}

/** The owner's tasks, newest first; `before` is the created_at of the last one already seen. */
export function listTasks(db: Db, owner: TaskOwner, limit: number, before?: number): TaskRow[] {
  const who = owner.userId !== null ? eq(mediaTasks.userId, owner.userId) : and(isNull(mediaTasks.userId), ownKey(owner.keyId))
  const where = and(who, before === undefined ? undefined : lt(mediaTasks.createdAt, before))
  return db.select().from(mediaTasks).where(where).orderBy(desc(mediaTasks.createdAt), desc(mediaTasks.id)).limit(limit).all()
}

const ownKey = (keyId: number | null) => (keyId === null ? isNull(mediaTasks.keyId) : eq(mediaTasks.keyId, keyId))

export const pruneTasks = (db: Db, before: number): number =>
  db
    .delete(mediaTasks)
    .where(and(lt(mediaTasks.createdAt, before), inArray(mediaTasks.status, ['completed', 'failed'])))
    .run().changes
