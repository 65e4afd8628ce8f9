// Chat sessions for /chat: history and upstream conversation, one running turn at a time.
import { and, eq, isNull, lt, or } from 'drizzle-orm'
import type { Db } from './client.js'
import { affected, insertIgnoringDuplicate } from './dialect.js'
import type { chatSessions } from './schema.js'

export type SessionRow = typeof chatSessions.$inferSelect
export type SessionMessage = SessionRow['messages'][number]

export async function findSession(db: Db, id: string): Promise<SessionRow | undefined> {
  const s = db.t.chatSessions
  return (await db.orm.select().from(s).where(eq(s.sessionId, id)).limit(1))[0]
}

export const insertSession = (db: Db, row: SessionRow): Promise<boolean> => insertIgnoringDuplicate(db, db.t.chatSessions, row)

/** Mark the session busy unless a turn is already running; false when it is (one atomic update). */
export async function claimSession(db: Db, id: string, now: number, until: number): Promise<boolean> {
  const s = db.t.chatSessions
  const claim = db.orm
    .update(s)
    .set({ busyUntil: until })
    .where(and(eq(s.sessionId, id), or(isNull(s.busyUntil), lt(s.busyUntil, now))))
  return affected(await db.write(() => claim)) > 0
}

export async function updateSession(db: Db, id: string, patch: Partial<Omit<SessionRow, 'sessionId'>>): Promise<void> {
  const s = db.t.chatSessions
  await db.write(() => db.orm.update(s).set(patch).where(eq(s.sessionId, id)))
}

export async function pruneSessions(db: Db, before: number): Promise<number> {
  const s = db.t.chatSessions
  const prune = db.orm.delete(s).where(and(lt(s.lastActivity, before), or(isNull(s.busyUntil), lt(s.busyUntil, before))))
  return affected(await db.write(() => prune))
}
