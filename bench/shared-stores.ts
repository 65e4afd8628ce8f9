// The shared stores of `npm run bench -- --postgres --redis`: a PostgreSQL database created for
// the run on 127.0.0.1:5432 (user postgres) and a random key prefix on the local Redis
// (127.0.0.1:6379), both removed afterwards, on failure and on Ctrl-C too; the billed, limited
// client key both relays of that mode are measured with; and the CPU the stores' servers spend.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'
import { cpuMs } from './proc.js'
import { cleanUpOnInterrupt } from './processes.js'

const PG_HOST = '127.0.0.1:5432'
const REDIS_HOST = '127.0.0.1'
const REDIS_PORT = 6379

/** A missing server: the bench stops with this message alone (no stack). */
export class BenchSetupError extends Error {
  override name = 'BenchSetupError'
}

export interface SharedStores {
  /** What the relay is started with: DATABASE_URL and/or REDIS_URL (and the others emptied). */
  env: Record<string, string>
  /** config.yaml lines: the Redis key prefix of this run. */
  configLines: string[]
  /** e.g. "PostgreSQL + Redis". */
  label: string
  /** Starts a meter; calling what it gives back reads the stores' servers' CPU ms since, by server. */
  meter(): Promise<() => Promise<Record<string, number>>>
  /** Drop the database and delete the prefix's keys; safe to call more than once. */
  drop(): Promise<void>
}

async function reach<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    throw new BenchSetupError(`--${what.startsWith('Redis') ? 'redis' : 'postgres'} needs ${what}, which did not answer: ${(err as Error).message || String(err)}`)
  }
}

/** CPU ms of the PostgreSQL backends serving one database (a backend that exits mid-run is lost). */
async function backendCpu(admin: pg.Client, database: string): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [database])
  const cpu = new Map<number, number>()
  for (const { pid } of rows) {
    try {
      cpu.set(pid, cpuMs(pid))
    } catch {
      // exited in between
    }
  }
  return cpu
}

/** Redis's own CPU (INFO cpu: the whole server, so other users of this Redis count too). */
async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0)
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000
}

export async function openSharedStores(want: { postgres: boolean; redis: boolean }): Promise<SharedStores> {
  const suffix = randomBytes(6).toString('hex')
  const env: Record<string, string> = { DATABASE_URL: '', MYSQL_DSN: '', REDIS_URL: '' }
  const configLines: string[] = []
  const drops: (() => Promise<void>)[] = []
  let dropping: Promise<void> | undefined
  const drop = () => {
    dropping ??= (async () => {
      for (const step of drops.reverse()) await step().catch((err: unknown) => console.error(`[bench] clean-up failed: ${(err as Error).message}`))
    })()
    return dropping
  }
  const forget = cleanUpOnInterrupt(drop)
  let admin: pg.Client | undefined
  let redis: Redis | undefined
  const database = `freeway_bench_${suffix}`
  try {
    if (want.postgres) {
      const client = new pg.Client({ connectionString: `postgres://postgres@${PG_HOST}/postgres`, connectionTimeoutMillis: 3000 })
      await reach(`PostgreSQL on ${PG_HOST} (user postgres, trust auth)`, () => client.connect())
      admin = client
      drops.push(() => client.end())
      await client.query(`create database ${database}`)
      drops.push(async () => {
        await client.query(`drop database if exists ${database} with (force)`)
        console.error(`[bench] dropped database ${database}`)
      })
      env.DATABASE_URL = `postgres://postgres@${PG_HOST}/${database}`
    }
    if (want.redis) {
      const client = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      // The cause is named once, below, instead of ioredis's "Unhandled error event" and a stack.
      let cause: Error | undefined
      client.on('error', (err: Error) => {
        cause ??= err
      })
      await reach(`Redis on ${REDIS_HOST}:${REDIS_PORT}`, async () => {
        await client.connect().catch((err: Error) => {
          throw cause ?? err
        })
        await client.ping()
      }).catch((err: unknown) => {
        client.disconnect()
        throw err
      })
      redis = client
      const prefix = `freeway-bench:${suffix}:`
      drops.push(async () => {
        let deleted = 0
        let cursor = '0'
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
          if (keys.length) deleted += await client.del(...keys)
          cursor = next
        } while (cursor !== '0')
        await client.quit()
        console.error(`[bench] deleted ${deleted} Redis keys under ${prefix}`)
      })
      env.REDIS_URL = `redis://${REDIS_HOST}:${REDIS_PORT}`
      configLines.push('redis:', `  prefix: '${prefix}'`)
    }
  } catch (err) {
    await drop()
    forget()
    throw err
  }
  return {
    env,
    configLines,
    label: [want.postgres && 'PostgreSQL', want.redis && 'Redis'].filter(Boolean).join(' + '),
    async meter() {
      const pgStart = admin ? await backendCpu(admin, database) : undefined
      const redisStart = redis ? await redisCpu(redis) : 0
      return async () => {
        const spent: Record<string, number> = {}
        if (admin && pgStart) {
          const after = await backendCpu(admin, database)
          spent.postgres = [...after].reduce((sum, [pid, ms]) => sum + ms - (pgStart.get(pid) ?? 0), 0)
        }
        if (redis) spent.redis = (await redisCpu(redis)) - redisStart
        return spent
      }
    },
    drop: async () => {
      await drop()
      forget()
    },
  }
}
