// Open SQLite (WAL, busy_timeout) and apply the generated migrations in drizzle/.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

/** drizzle/ sits at the package root, both from src/ (tsx) and dist/src/ (built). */
function migrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const fromSrc = resolve(here, '../../drizzle')
  return here.includes(`${'/dist/'}`) ? resolve(here, '../../../drizzle') : fromSrc
}

export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  // better-sqlite3 builds SQLite with a 16 MB page cache, which fills as usage rows accumulate and
  // stays resident (it was most of what RSS kept after a load). The request path only appends at
  // the right edges of a few b-trees, and other reads come from the OS page cache: 512 KB is plenty.
  sqlite.pragma('cache_size = -512')
  const db = drizzle(sqlite, { schema }) as Db
  migrate(db, { migrationsFolder: migrationsFolder() })
  return db
}

/** Run fn in one IMMEDIATE transaction, so concurrent writers queue instead of failing. */
export function immediate<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn).immediate()
}
