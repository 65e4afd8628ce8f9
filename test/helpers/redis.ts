// The local Redis for tests of shared state: a key prefix of their own per test file (deleted
// after), a clear failure when Redis is not running, and a TCP proxy in front of it that a test
// can cut and restore (Redis "going away" without touching the server other users share).
import { randomBytes } from 'node:crypto'
import { type Server, type Socket, connect, createServer } from 'node:net'
import { Redis } from 'ioredis'

export const REDIS_HOST = '127.0.0.1'
export const REDIS_PORT = 6379

/** A fresh prefix for one test file's keys and channels. */
export const testPrefix = () => `freeway-test:${randomBytes(6).toString('hex')}:`

/** Connect to the local Redis, or fail naming what is missing. */
export async function requireRedis(): Promise<Redis> {
  const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  try {
    await redis.connect()
    await redis.ping()
  } catch (err) {
    redis.disconnect()
    throw new Error(`these tests need Redis on ${REDIS_HOST}:${REDIS_PORT} (not reachable: ${(err as Error).message})`)
  }
  return redis
}

/** Delete every key under the prefix, then disconnect. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    if (keys.length) await redis.del(...keys)
    cursor = next
  } while (cursor !== '0')
  await redis.quit()
}

/** A loopback TCP proxy to the local Redis that can be cut (every connection dropped, new ones refused) and restored. */
export interface CuttableProxy {
  url: string
  cut(): void
  restore(): void
  close(): Promise<void>
}

export async function startRedisProxy(): Promise<CuttableProxy> {
  const sockets = new Set<Socket>()
  let down = false
  const server: Server = createServer((client) => {
    if (down) return void client.destroy()
    const upstream = connect(REDIS_PORT, REDIS_HOST)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => undefined)
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      down = true
      for (const s of sockets) s.destroy()
    },
    restore() {
      down = false
    },
    async close() {
      down = true
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
