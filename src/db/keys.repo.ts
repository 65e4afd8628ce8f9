// Client API keys: stored as SHA-256 hashes with a visible prefix/suffix for display.
import { count, eq, isNotNull, or } from 'drizzle-orm'
import type { Db } from './client.js'
import { clientKeys } from './schema.js'

export type ClientKeyRow = typeof clientKeys.$inferSelect

export interface NewClientKey {
  keyHash: string
  prefix: string
  suffix: string
  remark?: string
  expiresAt?: number | null
  allowedModels?: string[] | null
  userId?: string | null
  actForOthers?: boolean
  enabled?: boolean
}

export const insertKey = (db: Db, k: NewClientKey): ClientKeyRow => db.insert(clientKeys).values(k).returning().get()

export const findKeyByHash = (db: Db, hash: string): ClientKeyRow | undefined =>
  db.select().from(clientKeys).where(eq(clientKeys.keyHash, hash)).get()

export const findKeyById = (db: Db, id: number): ClientKeyRow | undefined =>
  db.select().from(clientKeys).where(eq(clientKeys.id, id)).get()

export const listKeys = (db: Db): ClientKeyRow[] => db.select().from(clientKeys).orderBy(clientKeys.id).all()

export const countKeys = (db: Db): number => db.select({ n: count() }).from(clientKeys).get()?.n ?? 0

export function updateKey(db: Db, id: number, patch: Partial<NewClientKey>): ClientKeyRow | undefined {
  return db.update(clientKeys).set(patch).where(eq(clientKeys.id, id)).returning().get()
}

/** Whether any key carries a rate limit of its own. */
export const anyLimitedKey = (db: Db): boolean =>
  db
    .select({ id: clientKeys.id })
    .from(clientKeys)
    .where(or(isNotNull(clientKeys.rpm), isNotNull(clientKeys.tpm), isNotNull(clientKeys.concurrency), isNotNull(clientKeys.limits)))
    .limit(1)
    .all().length > 0

export const deleteKey = (db: Db, id: number): boolean =>
  db.delete(clientKeys).where(eq(clientKeys.id, id)).run().changes > 0

export const touchKey = (db: Db, id: number, at: number): void => {
  db.update(clientKeys).set({ lastUsedAt: at }).where(eq(clientKeys.id, id)).run()
}
