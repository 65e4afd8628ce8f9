// Open the database (SQLite by default, PostgreSQL or MySQL/MariaDB when a URL names one), apply
// the dialect's generated migrations, and hand out one Db that every repository takes.
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator'
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2'
import { migrate as migrateMysql } from 'drizzle-orm/mysql2/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { type DatabaseTarget, describeTarget } from '../config/database.js'
import * as sqliteTables from './schema.js'
import * as mysqlTables from './schema.mysql.js'
import * as pgTables from './schema.pg.js'

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
function migrationsRoot(): string {
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
  return target.dialect === 'postgres' ? connectPostgres(target.url) : connectMysql(target.url)
}

/** One name for the migration lock, the same in every instance. */
const MIGRATION_LOCK = 'freeway_migrations'
/** pg_advisory_lock takes a number: a fixed one, far from anything an operator would pick. */
const PG_MIGRATION_LOCK = 7_114_050_918

const unreachable = (what: string, target: DatabaseTarget, err: unknown) =>
  new Error(`${what} at ${describeTarget(target)} is not reachable: ${(err as Error).message || String(err)}`, { cause: err })

async function connectPostgres(url: string): Promise<Db> {
  const target = { dialect: 'postgres' as const, url }
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  pool.on('error', () => undefined) // an idle client that lost its server; the next query reconnects
  const orm = drizzlePg(pool, { schema: pgTables })
  let lock: pg.PoolClient
  try {
    lock = await pool.connect()
  } catch (err) {
    await pool.end()
    throw unreachable('PostgreSQL', target, err)
  }
  // Instances starting together take turns: the first migrates, the others find nothing to do.
  try {
    await lock.query('select pg_advisory_lock($1)', [PG_MIGRATION_LOCK])
    await migratePg(orm, { migrationsFolder: join(migrationsRoot(), 'postgres') })
  } catch (err) {
    lock.release()
    await pool.end()
    throw err
  }
  await lock.query('select pg_advisory_unlock($1)', [PG_MIGRATION_LOCK])
  lock.release()
  return serverDb('postgres', orm as unknown as Orm, pgTables as unknown as Tables, () => pool.end())
}

async function connectMysql(url: string): Promise<Db> {
  const target = { dialect: 'mysql' as const, url }
  const pool = mysql.createPool({ uri: url.replace(/^mariadb:/i, 'mysql:'), connectionLimit: 10, charset: 'utf8mb4' })
  const orm = drizzleMysql(pool, { schema: mysqlTables, mode: 'default' })
  let lock: mysql.PoolConnection
  try {
    lock = await pool.getConnection()
  } catch (err) {
    await pool.end()
    throw unreachable('MySQL', target, err)
  }
  try {
    const [rows] = await lock.query('select get_lock(?, 120) as got', [MIGRATION_LOCK])
    if ((rows as { got: number }[])[0]?.got !== 1) throw new Error('MySQL: timed out waiting for another instance to finish migrating')
    await migrateMysql(orm, { migrationsFolder: join(migrationsRoot(), 'mysql') })
  } catch (err) {
    lock.release()
    await pool.end()
    throw err
  }
  await lock.query('select release_lock(?)', [MIGRATION_LOCK])
  lock.release()
  return serverDb('mysql', orm as unknown as Orm, mysqlTables as unknown as Tables, () => pool.end())
}

/** Deadlocks and serialization failures are the server's way of saying "try again". */
function retryable(err: unknown): boolean {
  for (let e = err as { code?: unknown; errno?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '40P01' || e.code === '40001' || e.errno === 1213) return true
  }
  return false
}

type TransactionRunner = { transaction<T>(fn: (tx: unknown) => Promise<T>): Promise<T> }

function serverDb(dialect: 'postgres' | 'mysql', orm: Orm, t: Tables, end: () => Promise<void>): Db {
  let open = true
  const txDb = (tx: unknown): Db => {
    const db: Db = {
      dialect,
      orm: tx as Orm,
      t,
      sqlite: undefined,
      inTransaction: true,
      transaction: (fn) => fn(db),
      write: async (fn) => fn(),
      isOpen: true,
      close: async () => undefined,
    }
    return db
  }
  return {
    dialect,
    orm,
    t,
    sqlite: undefined,
    inTransaction: false,
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await (orm as unknown as TransactionRunner).transaction((tx) => fn(txDb(tx)))
        } catch (err) {
          if (attempt >= 5 || !retryable(err)) throw err
          await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt))
        }
      }
    },
    write: async (fn) => fn(),
    get isOpen() {
      return open
    },
    async close() {
      if (!open) return
      open = false
      await end()
    },
  }
}

/** The SQLite connection of a SQLite Db (tests and SQLite-only maintenance); throws elsewhere. */
export function sqliteOf(db: Db): Database.Database {
  if (!db.sqlite) throw new Error(`this needs SQLite; the database is ${db.dialect}`)
  return db.sqlite
}
