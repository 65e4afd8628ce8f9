// A fresh database per test run on each engine: SQLite in a temporary folder, and `freeway_t_<random>`
// on the local PostgreSQL (127.0.0.1:5432, user postgres) and MariaDB/MySQL (root@127.0.0.1:3306),
// dropped after. A server that is down fails the test with a message naming it; nothing is skipped.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import pg from 'pg'
import type { DatabaseTarget } from '../../src/config/database.js'
import { type Db, type Dialect, connectDatabase } from '../../src/db/client.js'

export const ENGINES: readonly Dialect[] = ['sqlite', 'postgres', 'mysql']

const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres'
const MYSQL_ADMIN = 'mysql://root@127.0.0.1:3306/'

export interface TestDatabase {
  target: DatabaseTarget
  /** The URL (postgres/mysql) or file (sqlite) the app would be configured with. */
  url: string | undefined
  open(): Promise<Db>
  drop(): Promise<void>
}

async function reach<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    throw new Error(`${what} is needed by this test and did not answer: ${(err as Error).message || String(err)}`)
  }
}

/** A new, empty database on the engine; drop() removes it (and closes what open() handed out). */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const opened: Db[] = []
  const open = async (target: DatabaseTarget) => {
    const db = await connectDatabase(target)
    opened.push(db)
    return db
  }
  const closeAll = () => Promise.all(opened.splice(0).map((db) => db.close()))
  const name = `freeway_t_${randomBytes(6).toString('hex')}`
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'freeway-db-'))
    const target = { dialect, path: join(dir, 'freeway.db') } as const
    return {
      target,
      url: undefined,
      open: () => open(target),
      drop: async () => {
        await closeAll()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  // A server engine: its admin connection creates the database now and removes it at the end.
  const server =
    dialect === 'postgres'
      ? await reach('PostgreSQL on 127.0.0.1:5432 (user postgres)', async () => {
          const admin = new pg.Client({ connectionString: PG_ADMIN })
          await admin.connect()
          await admin.query(`create database ${name}`)
          const remove = async () => {
            await admin.query(`drop database if exists ${name} with (force)`)
            await admin.end()
          }
          return { url: `postgres://postgres@127.0.0.1:5432/${name}`, remove }
        })
      : await reach('MariaDB/MySQL on 127.0.0.1:3306 (user root)', async () => {
          const admin = await mysql.createConnection(MYSQL_ADMIN)
          await admin.query(`create database ${name} character set utf8mb4`)
          const remove = async () => {
            await admin.query(`drop database if exists ${name}`)
            await admin.end()
          }
          return { url: `mysql://root@127.0.0.1:3306/${name}`, remove }
        })
  const target = { dialect, url: server.url } as const
  return {
    target,
    url: server.url,
    open: () => open(target),
    drop: async () => {
      await closeAll()
      await server.remove()
    },
  }
}
