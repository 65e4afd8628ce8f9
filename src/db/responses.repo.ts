// Stored Responses API answers (previous_response_id, GET/DELETE /v1/responses/{id}).
import { eq, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import { affected } from './dialect.js'
import type { storedResponses } from './schema.js'

export type StoredResponseRow = typeof storedResponses.$inferSelect

export async function insertStoredResponse(db: Db, row: StoredResponseRow): Promise<void> {
  await db.write(() => db.orm.insert(db.t.storedResponses).values(row))
}

export async function findStoredResponse(db: Db, id: string): Promise<StoredResponseRow | undefined> {
  const r = db.t.storedResponses
  return (await db.orm.select().from(r).where(eq(r.id, id)).limit(1))[0]
}

/** The chain link and owner of a response, without its (large) JSON columns. */
export async function findResponseLink(db: Db, id: string) {
  const r = db.t.storedResponses
  const rows = await db.orm.select({ id: r.id, userId: r.userId, keyId: r.keyId, previousId: r.previousId }).from(r).where(eq(r.id, id)).limit(1)
  return rows[0]
}

export async function findResponseTurn(db: Db, id: string) {
  const r = db.t.storedResponses
  return (await db.orm.select({ messages: r.messages, output: r.output }).from(r).where(eq(r.id, id)).limit(1))[0]
}

export async function deleteStoredResponse(db: Db, id: string): Promise<boolean> {
  const r = db.t.storedResponses
  return affected(await db.write(() => db.orm.delete(r).where(eq(r.id, id)))) > 0
}

export async function pruneStoredResponses(db: Db, before: number): Promise<number> {
  const r = db.t.storedResponses
  return affected(await db.write(() => db.orm.delete(r).where(lt(r.createdAt, before))))
}
