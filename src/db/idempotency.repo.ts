// Stored responses of calls made with an Idempotency-Key.
import { and, eq, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import { idempotencyKeys } from './schema.js'

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect

export const findIdempotent = (db: Db, scope: string, key: string): IdempotencyRow | undefined =>
  db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key))).get()

export function saveIdempotent(db: Db, row: IdempotencyRow): void {
  db.insert(idempotencyKeys).values(row).run()
}

export const pruneIdempotent = (db: Db, before: number): number =>
  db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before)).run().changes
