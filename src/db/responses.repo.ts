// Stored Responses API answers (previous_response_id, GET/DELETE /v1/responses/{id}).
import { eq, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import { storedResponses } from './schema.js'

export type StoredResponseRow = typeof storedResponses.$inferSelect

export function insertStoredResponse(db: Db, row: StoredResponseRow): void {
  db.insert(storedResponses).values(row).run()
}

export const findStoredResponse = (db: Db, id: string): StoredResponseRow | undefined =>
  db.select().from(storedResponses).where(eq(storedResponses.id, id)).get()

/** The chain link and owner of a response, without its (large) JSON columns. */
export const findResponseLink = (db: Db, id: string) =>
  db
    .select({ id: storedResponses.id, userId: storedResponses.userId, keyId: storedResponses.keyId, previousId: storedResponses.previousId })
    .from(storedResponses)
    .where(eq(storedResponses.id, id))
    .get()

export const findResponseTurn = (db: Db, id: string) =>
  db.select({ messages: storedResponses.messages, output: storedResponses.output }).from(storedResponses).where(eq(storedResponses.id, id)).get()

export const deleteStoredResponse = (db: Db, id: string): boolean => db.delete(storedResponses).where(eq(storedResponses.id, id)).run().changes > 0

export const pruneStoredResponses = (db: Db, before: number): number =>
  db.delete(storedResponses).where(lt(storedResponses.createdAt, before)).run().changes
