// Stored responses of calls made with an Idempotency-Key.
import { and, eq, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import { affected } from './dialect.js'
import type { idempotencyKeys } from './schema.js'

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect

export async function findIdempotent(db: Db, scope: string, key: string): Promise<IdempotencyRow | undefined> {
  const k = db.t.idempotencyKeys
  return (await db.orm.select().from(k).where(and(eq(k.scope, scope), eq(k.key, key))).limit(1))[0]
}

export async function saveIdempotent(db: Db, row: IdempotencyRow): Promise<void> {
  await db.write(() => db.orm.insert(db.t.idempotencyKeys).values(row))
}

export async function pruneIdempotent(db: Db, before: number): Promise<number> {
  const k = db.t.idempotencyKeys
  return affected(await db.write(() => db.orm.delete(k).where(lt(k.createdAt, before))))
}
