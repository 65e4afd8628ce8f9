// Open the database (SQLite by default, PostgreSQL or MySQL/MariaDB when a URL names one), apply
// the dialect's generated migrations, and hand out one Db that every repository takes.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator'
import type { DatabaseTarget } from '../config/database.js'
import * as sqliteTables from './schema.js'

export type Dialect = DatabaseTarget['dialect']
/** Every dialect's tables have these names, columns and row types (test/db/schema-parity.test.ts). */
export type Tables = typeof sqliteTables
/**
 * The query builder the repositories are written against. PostgreSQL's and MySQL's drizzle builders
 * take the same calls (select/insert/update/delete, where, orderBy, limit) and are awaited the same
 * way; what differs (RETURNING, upserts, LIKE, row locks, affected rows) goes through dialect.ts.
 */
export type Orm = BetterSQLite3Database<Tables>

export interface Db {
  readonly dialect: Dialect
  readonly orm: Orm
  /** The dialect's tables (typed as SQLite's, whose row types they share). */
  readonly t: Tables
  /** The SQLite connection (prepared statements on the hot path); undefined on other engines. */
  readonly sqlite: Database.Database | undefined
  /** Whether this handle is an open transaction. */
  readonly inTransaction: boolean
  /** Run fn in one transaction and hand it the transaction's Db; inside one, fn joins it. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>
  /** Run a write outside a transaction (on SQLite it waits for the transaction in progress). */
  write<T>(fn: () => PromiseLike<T>): Promise<T>
  readonly isOpen: boolean
  close(): Promise<void>
}

/** drizzle/ sits at the package root, both from src/ (tsx) and dist/src/ (built). */
export function migrationsRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  return here.includes(`${'/dist/'}`) ? resolve(here, '../../../drizzle') : resolve(here, '../../drizzle')
}

/** Chains async work so that one piece runs at a time. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(fn: () => PromiseLike<T>): Promise<T> {
    const result = this.tail.then(fn)
    this.tail = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}

/**
 * SQLite: one connection, so a transaction is BEGIN IMMEDIATE…COMMIT on it, and any statement run
 * while one is open lands inside it. Transaction bodies are async (the same code runs on
 * PostgreSQL and MySQL), and each await lets other requests run; so transactions and every write
 * go through one in-process queue: a write waits for the open transaction instead of joining it
 * (and being rolled back with it), and two transactions never interleave. Reads need no queue.
 * Several processes on one file still queue on SQLite's own lock (busy_timeout).
 */
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
  const orm = drizzleSqlite(sqlite, { schema: sqliteTables })
  migrateSqlite(orm, { migrationsFolder: migrationsRoot() })
  const queue = new SerialQueue()
  const base = { dialect: 'sqlite' as const, orm, t: sqliteTables, sqlite }
  const tx: Db = {
    ...base,
    inTransaction: true,
    transaction: (fn) => fn(tx),
    write: async (fn) => fn(),
    isOpen: true,
    close: async () => undefined,
  }
  return {
    ...base,
    inTransaction: false,
    transaction: (fn) =>
      queue.run(async () => {
        sqlite.exec('BEGIN IMMEDIATE')
        try {
          const result = await fn(tx)
          sqlite.exec('COMMIT')
          return result
        } catch (err) {
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
          throw err
        }
      }),
    write: (fn) => queue.run(fn),
    get isOpen() {
      return sqlite.open
    },
    close: async () => {
      if (sqlite.open) sqlite.close()
    },
  }
}

/** Open the configured database: SQLite at its path, or connect to PostgreSQL or MySQL and migrate. */
export async function connectDatabase(target: DatabaseTarget): Promise<Db> {
  if (target.dialect === 'sqlite') return openDatabase(target.path)
  // The PostgreSQL and MySQL drivers load only when one is configured: a SQLite relay never pays for them.
  const { connectPostgres, connectMysql } = await import('./server-db.js')
  return target.dialect === 'postgres' ? connectPostgres(target.url) : connectMysql(target.url)
}

/** The SQLite connection of a SQLite Db (tests and SQLite-only maintenance); throws elsewhere. */
export function sqliteOf(db: Db): Database.Database {
  if (!db.sqlite) throw new Error(`this needs SQLite; the database is ${db.dialect}`)
  return db.sqlite
}
