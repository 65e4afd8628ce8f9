// Inserts on the request path through prepared statements: drizzle's query builder rebuilds and
// re-prepares SQL on every call, which costs more than the write itself. One statement is kept
// per table and set of columns given; SQLite fills in the defaults of the rest.
import { getTableColumns, getTableName } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type Database from 'better-sqlite3'
import type { Db } from './client.js'

const statements = new WeakMap<object, Map<string, Database.Statement>>()

export function insertRow<T extends SQLiteTable>(db: Db, table: T, row: T['$inferInsert'], conflict = 'or ignore'): void {
  const columns = getTableColumns(table)
  const keys = Object.keys(row as object).filter((k) => k in columns && (row as Record<string, unknown>)[k] !== undefined)
  const cacheKey = `${getTableName(table)}|${conflict}|${keys.join(',')}`
  let perDb = statements.get(db.$client)
  if (!perDb) {
    perDb = new Map()
    statements.set(db.$client, perDb)
  }
  let stmt = perDb.get(cacheKey)
  if (!stmt) {
    const names = keys.map((k) => `"${columns[k]!.name}"`).join(', ')
    const sql = `insert ${conflict} into "${getTableName(table)}" (${names}) values (${keys.map(() => '?').join(', ')})`
    stmt = db.$client.prepare(sql)
    perDb.set(cacheKey, stmt)
  }
  stmt.run(
    keys.map((k) => {
      const v = (row as Record<string, unknown>)[k]
      return v === null ? null : (columns[k]!.mapToDriverValue(v as never) as unknown)
    }),
  )
}
