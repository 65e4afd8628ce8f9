// What differs between SQLite, PostgreSQL and MySQL, in one place, so the repositories are written
// once: RETURNING (MySQL has none), upserts (ON CONFLICT vs ON DUPLICATE KEY), ignoring duplicates,
// affected-row counts, row locks, LIKE escaping and integer division.
import { type SQL, type SQLWrapper, eq, getTableColumns, sql } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from './client.js'

/** Rows a write touched, from whichever result shape the driver returns. */
export function affected(result: unknown): number {
  const r = (Array.isArray(result) ? result[0] : result) as { changes?: number; rowCount?: number | null; affectedRows?: number } | undefined
  return Number(r?.changes ?? r?.rowCount ?? r?.affectedRows ?? 0)
}

/** The id MySQL gave an inserted row (AUTO_INCREMENT). */
const insertIdOf = (result: unknown) => Number((Array.isArray(result) ? result[0] : result)?.insertId)

/**
 * Insert one row and read it back as stored (defaults filled in). PostgreSQL and SQLite say
 * RETURNING; MySQL reads the row by its AUTO_INCREMENT id, or by the primary key it was given.
 */
export async function insertReturning<T extends SQLiteTable>(db: Db, table: T, values: T['$inferInsert']): Promise<T['$inferSelect']> {
  if (db.dialect !== 'mysql') {
    const rows = (await db.write(() => db.orm.insert(table).values(values).returning())) as T['$inferSelect'][]
    return rows[0]!
  }
  const result = await db.write(() => db.orm.insert(table).values(values))
  const [key, column] = primaryKeyOf(table)
  const id = (values as Record<string, unknown>)[key] ?? insertIdOf(result)
  const rows = (await db.orm
    .select()
    .from(table as SQLiteTable)
    .where(eq(column, id))
    .limit(1)) as T['$inferSelect'][]
  return rows[0]!
}

function primaryKeyOf(table: SQLiteTable): [string, SQLiteColumn] {
  const found = Object.entries(getTableColumns(table)).find(([, c]) => c.primary)
  if (!found) throw new Error('insertReturning needs a table with a one-column primary key')
  return found
}

/** Insert, or update `set` on the row that has the same `target` key. */
export function upsert<T extends SQLiteTable>(db: Db, table: T, values: T['$inferInsert'], target: SQLiteColumn | SQLiteColumn[], set: Partial<Record<keyof T['$inferInsert'], unknown>>) {
  const insert = db.orm.insert(table).values(values)
  if (db.dialect === 'mysql') {
    const mysqlInsert = insert as unknown as { onDuplicateKeyUpdate(c: { set: unknown }): PromiseLike<unknown> }
    return db.write(() => mysqlInsert.onDuplicateKeyUpdate({ set }))
  }
  return db.write(() => insert.onConflictDoUpdate({ target, set: set as never }))
}

/** Insert unless a row with the same key exists; true when it was inserted. */
export async function insertIgnoringDuplicate<T extends SQLiteTable>(db: Db, table: T, values: T['$inferInsert']): Promise<boolean> {
  if (db.dialect === 'mysql') return affected(await db.write(() => mysqlInsertIgnore(db, table).values([values]))) > 0
  return affected(await db.write(() => db.orm.insert(table).values(values).onConflictDoNothing())) > 0
}

/** MySQL's INSERT IGNORE (drizzle's mysql builder has ignore() before values()). */
export const mysqlInsertIgnore = <T extends SQLiteTable>(db: Db, table: T) =>
  (db.orm.insert(table) as unknown as { ignore(): { values(rows: T['$inferInsert'][]): PromiseLike<unknown> } }).ignore()

/**
 * Lock the rows a select reads until the transaction ends (SELECT … FOR UPDATE), so another
 * instance's transaction on the same row waits. SQLite has no row locks and needs none: its
 * transactions run one at a time (see client.ts).
 */
export function forUpdate<Q extends PromiseLike<unknown>>(db: Db, query: Q): Q {
  if (db.dialect === 'sqlite') return query
  return (query as unknown as { for(strength: 'update'): Q }).for('update')
}

/** `column LIKE %text%`, the text taken literally: '!' escapes, the same on every engine. */
export function likeContains(column: SQLWrapper, text: string): SQL {
  return sql`${column} LIKE ${`%${text.replace(/[%_!]/g, '!$&')}%`} ESCAPE '!'`
}

/** Integer division of an integer column by a constant (MySQL's `/` would keep the fraction). */
export function intDiv(db: Db, column: SQLWrapper, divisor: number): SQL {
  const d = sql.raw(String(Math.trunc(divisor)))
  return db.dialect === 'mysql' ? sql`(${column} div ${d})` : sql`(${column} / ${d})`
}

/** One round trip (GET /health): throws when the database cannot answer. */
export async function ping(db: Db): Promise<void> {
  if (db.dialect === 'sqlite') db.orm.run(sql`select 1`)
  else await (db.orm as unknown as { execute(q: SQL): Promise<unknown> }).execute(sql`select 1`)
}
