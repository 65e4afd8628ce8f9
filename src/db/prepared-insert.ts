// Inserts on the request path. On SQLite through prepared statements: drizzle's query builder
// rebuilds and re-prepares SQL on every call, which costs more than the write itself. One statement
// is kept per table and set of columns given; SQLite fills in the defaults of the rest. PostgreSQL
// and MySQL take the batch as one multi-row insert.
import { getTableColumns, getTableName } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type Database from 'better-sqlite3'
import type { Db } from './client.js'
import { mysqlInsertIgnore } from './dialect.js'

const statements = new WeakMap<object, Map<string, Database.Statement>>()

/** Insert rows in one go (inside the caller's transaction, or one of their own). */
export function insertRows<T extends SQLiteTable>(db: Db, table: T, rows: T['$inferInsert'][], ignoreDuplicates: boolean): Promise<void> {
  if (!rows.length) return Promise.resolve()
  const sqlite = db.sqlite
  if (sqlite) {
    return db.transaction(async () => {
      for (const row of rows) insertSqliteRow(sqlite, table, row, ignoreDuplicates ? 'or ignore' : '')
    })
  }
  return db.write(async () => {
    if (!ignoreDuplicates) await db.orm.insert(table).values(rows)
    else if (db.dialect === 'mysql') await mysqlInsertIgnore(db, table).values(rows)
    else await db.orm.insert(table).values(rows).onConflictDoNothing()
  })
}

function insertSqliteRow<T extends SQLiteTable>(sqlite: Database.Database, table: T, row: T['$inferInsert'], conflict: string): void {
  const columns = getTableColumns(table)
  const keys = Object.keys(row as object).filter((k) => k in columns && (row as Record<string, unknown>)[k] !== undefined)
  const cacheKey = `${getTableName(table)}|${conflict}|${keys.join(',')}`
  let perDb = statements.get(sqlite)
  if (!perDb) {
    perDb = new Map()
    statements.set(sqlite, perDb)
  }
  let stmt = perDb.get(cacheKey)
  if (!stmt) {
    const names = keys.map((k) => `"${columns[k]!.name}"`).join(', ')
    const sql = `insert ${conflict} into "${getTableName(table)}" (${names}) values (${keys.map(() => '?').join(', ')})`
    stmt = sqlite.prepare(sql)
    perDb.set(cacheKey, stmt)
  }
  stmt.run(
    keys.map((k) => {
      const v = (row as Record<string, unknown>)[k]
      return v === null ? null : (columns[k]!.mapToDriverValue(v as never) as unknown)
    }),
  )
}
