// PostgreSQL and MySQL/MariaDB: connect, migrate under a lock that instances starting together
// share, and hand out the Db the repositories take. Loaded only when one of them is configured.
import { join } from 'node:path'
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2'
import { migrate as migrateMysql } from 'drizzle-orm/mysql2/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { type DatabaseTarget, describeTarget } from '../config/database.js'
import { type Db, type Orm, type Tables, migrationsRoot } from './client.js'
import * as mysqlTables from './schema.mysql.js'
import * as pgTables from './schema.pg.js'

/** One name for the migration lock, the same in every instance. */
const MIGRATION_LOCK = 'freeway_migrations'
/** pg_advisory_lock takes a number: a fixed one, far from anything an operator would pick. */
const PG_MIGRATION_LOCK = 7_114_050_918

const unreachable = (what: string, target: DatabaseTarget, err: unknown) =>
  new Error(`${what} at ${describeTarget(target)} is not reachable: ${(err as Error).message || String(err)}`, { cause: err })

export async function connectPostgres(url: string): Promise<Db> {
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

export async function connectMysql(url: string): Promise<Db> {
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

