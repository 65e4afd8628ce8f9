// The three schemas (src/db/schema.ts, schema.pg.ts, schema.mysql.ts) describe the same tables: the
// repositories are written once against them, so a table, a column or its nullability that one
// dialect lacks or changes fails here before it fails on that engine.
import { getTableColumns, getTableName, isTable } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import * as sqlite from '../../src/db/schema.js'
import * as mysql from '../../src/db/schema.mysql.js'
import * as pg from '../../src/db/schema.pg.js'

/** table → column → 'null' | 'not null', with the TypeScript keys the repositories use. */
function shape(schema: Record<string, unknown>) {
  const tables: Record<string, Record<string, string>> = {}
  for (const [key, table] of Object.entries(schema)) {
    if (!isTable(table)) continue
    const columns = Object.entries(getTableColumns(table)).map(([name, c]) => [`${name} (${c.name})`, c.notNull ? 'not null' : 'null'])
    tables[`${key} (${getTableName(table)})`] = Object.fromEntries(columns)
  }
  return tables
}

describe('schemas', () => {
  it('PostgreSQL has the same tables, columns and nullability as SQLite', () => {
    expect(shape(pg)).toEqual(shape(sqlite))
  })

  it('MySQL has the same tables, columns and nullability as SQLite', () => {
    expect(shape(mysql)).toEqual(shape(sqlite))
  })

  it('covers every table', () => {
    expect(Object.keys(shape(sqlite))).toHaveLength(13)
  })
})
