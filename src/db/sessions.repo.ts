// Chat sessions for /chat: history and upstream conversation, one running turn at a time.
import { and, eq, isNull, lt, or } from 'drizzle-orm'
import type { Db } from './client.js'
import { chatSessions } from './schema.js'

export type SessionRow = typeof chatSessions.$inferSelect
export type SessionMessage = SessionRow['messages'][number]

export const findSession = (db: Db, id: string): SessionRow | undefined =>
  db.select().from(chatSessions).where(eq(chatSessions.sessionId, id)).get()

export function insertSession(db: Db, row: SessionRow): boolean {
  return db.insert(chatSessions).values(row).onConflictDoNothing().run().changes > 0
}

/** Mark the session busy unless a turn is already running; false when it is. */
export function claimSession(db: Db, id: string, now: number, until: number): boolean {
  return (
    db
      .update(chatSessions)
      .set({ busyUntil: until })
      .where(and(eq(chatSessions.sessionId, id), or(isNull(chatSessions.busyUntil), lt(chatSessions.busyUntil, now))))
      .run().changes > 0
  )
}

export function updateSession(db: Db, id: string, patch: Partial<Omit<SessionRow, 'sessionId'>>): void {
  db.update(chatSessions).set(patch).where(eq(chatSessions.sessionId, id)).run()
}

export const pruneSessions = (db: Db, before: number): number =>
  db
    .delete(chatSessions)
    .where(and(lt(chatSessions.lastActivity, before), or(isNull(chatSessions.busyUntil), lt(chatSessions.busyUntil, before))))
    .run().changes
