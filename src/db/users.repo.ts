// Users and their balances. Balance changes happen only inside the callers' IMMEDIATE transactions.
import { count, desc, eq, isNotNull, lt, sql } from 'drizzle-orm'
import type { Db } from './client.js'
import { type LimitSpec, billingHolds, users } from './schema.js'

export type UserRow = typeof users.$inferSelect
export type HoldRow = typeof billingHolds.$inferSelect

const unixNow = () => Math.floor(Date.now() / 1000)

export const findUser = (db: Db, userId: string): UserRow | undefined =>
  db.select().from(users).where(eq(users.userId, userId)).get()

/** Grant tokens (creating the user): `token` and `avail_token` both grow by `amount`. */
export function grantTokens(db: Db, userId: string, amount: number): UserRow {
  return db
    .insert(users)
    .values({ userId, token: amount, availToken: amount, updatetime: unixNow() })
    .onConflictDoUpdate({
      target: users.userId,
      set: { token: sql`${users.token} + ${amount}`, availToken: sql`${users.availToken} + ${amount}`, updatetime: unixNow() },
    })
    .returning()
    .get()
}

export function setMode(db: Db, userId: string, mode: string): UserRow {
  return db
    .insert(users)
    .values({ userId, mode, updatetime: unixNow() })
    .onConflictDoUpdate({ target: users.userId, set: { mode, updatetime: unixNow() } })
    .returning()
    .get()
}

export function setAvailable(db: Db, userId: string, availToken: number): void {
  db.update(users).set({ availToken, updatetime: unixNow() }).where(eq(users.userId, userId)).run()
}

export function setUserLimits(db: Db, userId: string, limits: LimitSpec | null): UserRow {
  return db
    .insert(users)
    .values({ userId, limits, updatetime: unixNow() })
    .onConflictDoUpdate({ target: users.userId, set: { limits, updatetime: unixNow() } })
    .returning()
    .get()
}

export const anyLimitedUser = (db: Db): boolean =>
  db.select({ id: users.userId }).from(users).where(isNotNull(users.limits)).limit(1).all().length > 0

/** SQLite's LIKE has no escape character unless ESCAPE names one: without it `\_` is no literal `_`. */
const escapeLike = (text: string) => text.replace(/[%_\\]/g, '\\$&')

export function listUsers(db: Db, q: { offset: number; limit: number; userId?: string }): { list: UserRow[]; total: number } {
  const where = q.userId ? sql`${users.userId} LIKE ${`%${escapeLike(q.userId)}%`} ESCAPE '\\'` : undefined
  const list = db.select().from(users).where(where).orderBy(desc(users.updatetime), users.userId).limit(q.limit).offset(q.offset).all()
  const total = db.select({ n: count() }).from(users).where(where).get()?.n ?? 0
  return { list, total }
}

export const insertHold = (db: Db, hold: Omit<HoldRow, 'id'>): HoldRow => db.insert(billingHolds).values(hold).returning().get()

/** Delete a hold; undefined when it was already released (e.g. by the stale-hold job). */
export const takeHold = (db: Db, id: number): HoldRow | undefined =>
  db.delete(billingHolds).where(eq(billingHolds.id, id)).returning().get()

export const staleHolds = (db: Db, before: number): HoldRow[] =>
  db.select().from(billingHolds).where(lt(billingHolds.createdAt, before)).all()

export const holdsOfInstance = (db: Db, instanceId: string): HoldRow[] =>
  db.select().from(billingHolds).where(eq(billingHolds.instanceId, instanceId)).all()

export const holdsOf = (db: Db, userId: string): HoldRow[] =>
  db.select().from(billingHolds).where(eq(billingHolds.userId, userId)).all()
