// Client API keys: stored as SHA-256 hashes with a visible prefix/suffix for display.
import { count, eq, isNotNull, or } from 'drizzle-orm'
import type { Db } from './client.js'
import { affected, insertReturning } from './dialect.js'
import type { clientKeys } from './schema.js'

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

export const insertKey = (db: Db, k: NewClientKey): Promise<ClientKeyRow> => insertReturning(db, db.t.clientKeys, k)

export async function findKeyByHash(db: Db, hash: string): Promise<ClientKeyRow | undefined> {
  const k = db.t.clientKeys
  return (await db.orm.select().from(k).where(eq(k.keyHash, hash)).limit(1))[0]
}

export async function findKeyById(db: Db, id: number): Promise<ClientKeyRow | undefined> {
  const k = db.t.clientKeys
  return (await db.orm.select().from(k).where(eq(k.id, id)).limit(1))[0]
}

export const listKeys = async (db: Db): Promise<ClientKeyRow[]> => db.orm.select().from(db.t.clientKeys).orderBy(db.t.clientKeys.id)

export async function countKeys(db: Db): Promise<number> {
  return (await db.orm.select({ n: count() }).from(db.t.clientKeys))[0]?.n ?? 0
}

export async function updateKey(db: Db, id: number, patch: Partial<NewClientKey>): Promise<ClientKeyRow | undefined> {
  const k = db.t.clientKeys
  if (Object.keys(patch).length) await db.write(() => db.orm.update(k).set(patch).where(eq(k.id, id)))
  return findKeyById(db, id)
}

/** Whether any key carries a rate limit of its own. */
export async function anyLimitedKey(db: Db): Promise<boolean> {
  const k = db.t.clientKeys
  const rows = await db.orm
    .select({ id: k.id })
    .from(k)
    .where(or(isNotNull(k.rpm), isNotNull(k.tpm), isNotNull(k.concurrency), isNotNull(k.limits)))
    .limit(1)
  return rows.length > 0
}

export async function deleteKey(db: Db, id: number): Promise<boolean> {
  const k = db.t.clientKeys
  return affected(await db.write(() => db.orm.delete(k).where(eq(k.id, id)))) > 0
}

export async function touchKey(db: Db, id: number, at: number): Promise<void> {
  const k = db.t.clientKeys
  await db.write(() => db.orm.update(k).set({ lastUsedAt: at }).where(eq(k.id, id)))
}
