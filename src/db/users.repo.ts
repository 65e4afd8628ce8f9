// Users and their balances. Balance changes happen only inside the callers' transactions, after
// lockUser (see core/billing.ts).
import { count, desc, eq, isNotNull, lt, sql } from 'drizzle-orm'
import type { Db } from './client.js'
import { affected, forUpdate, insertReturning, likeContains, upsert } from './dialect.js'
import type { LimitSpec, billingHolds, users } from './schema.js'

export type UserRow = typeof users.$inferSelect
export type HoldRow = typeof billingHolds.$inferSelect

const unixNow = () => Math.floor(Date.now() / 1000)

export async function findUser(db: Db, userId: string): Promise<UserRow | undefined> {
  const u = db.t.users
  return (await db.orm.select().from(u).where(eq(u.userId, userId)).limit(1))[0]
}

/**
 * The user's row, locked (SELECT … FOR UPDATE) until the transaction `tx` ends, so no other
 * instance reads the balance in between; every balance change takes this lock first.
 */
export async function lockUser(tx: Db, userId: string): Promise<UserRow | undefined> {
  const prepared = billingStatements(tx)
  if (prepared) return prepared.user.get({ userId })
  const u = tx.t.users
  return (await forUpdate(tx, tx.orm.select().from(u).where(eq(u.userId, userId)).limit(1)))[0]
}

/**
 * SQLite: the statements of every billed request (its reservation and its settlement), prepared
 * once per connection. drizzle builds and prepares a query on every call, which cost most of a
 * billed request's CPU (about 0.4 of 1.4 ms in a profile at 50 connections). The other engines
 * pay a network round trip per statement, beside which the building is small. The same
 * repository tests run on all three engines (test/db/engines.test.ts).
 */
function prepareBilling(db: Db) {
  const u = db.t.users
  const h = db.t.billingHolds
  const p = sql.placeholder
  return {
    user: db.orm.select().from(u).where(eq(u.userId, p('userId'))).limit(1).prepare(),
    setAvailable: db.orm.update(u).set({ availToken: sql`${p('availToken')}`, updatetime: sql`${p('now')}` }).where(eq(u.userId, p('userId'))).prepare(),
    hold: db.orm.select().from(h).where(eq(h.id, p('id'))).limit(1).prepare(),
    deleteHold: db.orm.delete(h).where(eq(h.id, p('id'))).prepare(),
    insertHold: db.orm
      .insert(h)
      .values({ userId: p('userId'), requestId: p('requestId'), amount: p('amount'), instanceId: p('instanceId'), createdAt: p('createdAt') })
      .returning()
      .prepare(),
  }
}

const preparedBilling = new WeakMap<object, ReturnType<typeof prepareBilling>>()

function billingStatements(db: Db): ReturnType<typeof prepareBilling> | undefined {
  if (!db.sqlite) return undefined
  let prepared = preparedBilling.get(db.sqlite)
  if (!prepared) {
    prepared = prepareBilling(db)
    preparedBilling.set(db.sqlite, prepared)
  }
  return prepared
}

/** Grant tokens (creating the user): `token` and `avail_token` both grow by `amount`. */
export async function grantTokens(db: Db, userId: string, amount: number): Promise<UserRow> {
  const u = db.t.users
  const set = { token: sql`${u.token} + ${amount}`, availToken: sql`${u.availToken} + ${amount}`, updatetime: unixNow() }
  return db.transaction(async (tx) => {
    await upsert(tx, u, { userId, token: amount, availToken: amount, updatetime: unixNow() }, u.userId, set)
    return (await findUser(tx, userId))!
  })
}

async function upsertUser(db: Db, userId: string, set: Partial<UserRow>): Promise<UserRow> {
  const u = db.t.users
  const values = { ...set, updatetime: unixNow() }
  return db.transaction(async (tx) => {
    await upsert(tx, u, { userId, ...values }, u.userId, values)
    return (await findUser(tx, userId))!
  })
}

export const setMode = (db: Db, userId: string, mode: string): Promise<UserRow> => upsertUser(db, userId, { mode })

export async function setAvailable(db: Db, userId: string, availToken: number): Promise<void> {
  const prepared = billingStatements(db)
  if (prepared) {
    await db.write(async () => prepared.setAvailable.run({ availToken, now: unixNow(), userId }))
    return
  }
  const u = db.t.users
  await db.write(() => db.orm.update(u).set({ availToken, updatetime: unixNow() }).where(eq(u.userId, userId)))
}

export const setUserLimits = (db: Db, userId: string, limits: LimitSpec | null): Promise<UserRow> => upsertUser(db, userId, { limits })

export async function anyLimitedUser(db: Db): Promise<boolean> {
  const u = db.t.users
  return (await db.orm.select({ id: u.userId }).from(u).where(isNotNull(u.limits)).limit(1)).length > 0
}

export async function listUsers(db: Db, q: { offset: number; limit: number; userId?: string }): Promise<{ list: UserRow[]; total: number }> {
  const u = db.t.users
  const where = q.userId ? likeContains(u.userId, q.userId) : undefined
  const list = await db.orm.select().from(u).where(where).orderBy(desc(u.updatetime), u.userId).limit(q.limit).offset(q.offset)
  const total = (await db.orm.select({ n: count() }).from(u).where(where))[0]?.n ?? 0
  return { list, total }
}

export async function insertHold(db: Db, hold: Omit<HoldRow, 'id'>): Promise<HoldRow> {
  const prepared = billingStatements(db)
  if (prepared) return db.write(async () => prepared.insertHold.get(hold)!)
  return insertReturning(db, db.t.billingHolds, hold)
}

/** Delete a hold; undefined when it was already released (e.g. by the stale-hold job). */
export async function takeHold(tx: Db, id: number): Promise<HoldRow | undefined> {
  const prepared = billingStatements(tx)
  if (prepared) {
    const row = prepared.hold.get({ id })
    return row && (await tx.write(async () => prepared.deleteHold.run({ id }))).changes > 0 ? row : undefined
  }
  const h = tx.t.billingHolds
  const row = (await forUpdate(tx, tx.orm.select().from(h).where(eq(h.id, id)).limit(1)))[0]
  if (!row) return undefined
  // Whoever deletes it owns it: a second taker (another instance that read it too) deletes nothing.
  return affected(await tx.write(() => tx.orm.delete(h).where(eq(h.id, id)))) > 0 ? row : undefined
}

export async function staleHolds(db: Db, before: number): Promise<HoldRow[]> {
  const h = db.t.billingHolds
  return db.orm.select().from(h).where(lt(h.createdAt, before))
}

export async function holdsOfInstance(db: Db, instanceId: string): Promise<HoldRow[]> {
  const h = db.t.billingHolds
  return db.orm.select().from(h).where(eq(h.instanceId, instanceId))
}

export async function holdsOf(db: Db, userId: string): Promise<HoldRow[]> {
  const h = db.t.billingHolds
  return db.orm.select().from(h).where(eq(h.userId, userId))
}
