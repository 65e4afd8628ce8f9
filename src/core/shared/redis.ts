// The one Redis connection of an instance (REDIS_URL), for the state several instances share.
// ioredis is loaded only when Redis is configured, so a single instance never pays for it.
// Commands fail fast (no offline queue, a short timeout) and the client reconnects by itself;
// while Redis is away every user falls back to its in-memory, per-instance twin: one warning when
// it goes, one info line when it is back, and a request never fails because of it.
import { createHash, randomUUID } from 'node:crypto'
import type { Redis, RedisOptions } from 'ioredis'
import type { Logger } from '../../kit/log.js'

export interface SharedRedisOptions {
  url: string
  /** Start of every key and channel (redis.prefix). */
  prefix: string
  commandTimeoutMs: number
}

type Handler = (body: unknown) => void

const RECOVERY_PING_MS = 1000

/** Where a Redis URL points, without the password (for logs). */
export function redisHost(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || 6379}`
  } catch {
    return 'redis'
  }
}

export class SharedRedis {
  private client: Redis | undefined
  private subscriber: Redis | undefined
  private up = false
  /** Whether this outage was reported already (one warning per outage). */
  private downReported = false
  private everUp = false
  private closed = false
  private probe: NodeJS.Timeout | undefined
  private readonly handlers = new Map<string, Handler[]>()
  private readonly upListeners: (() => void)[] = []
  private firstAttempt: (() => void) | undefined
  /** Resolves once the first connection attempt succeeded or failed (start-up and tests wait on it). */
  readonly settled: Promise<void>
  /** A random name per connection: lease ids carry it, and its own bus messages are not delivered back to it. */
  readonly processId = randomUUID().slice(0, 8)

  constructor(
    private readonly o: SharedRedisOptions,
    private readonly log: Logger,
  ) {
    this.settled = new Promise((resolve) => {
      this.firstAttempt = resolve
    })
  }

  /** Load ioredis and connect in the background; until then every user works in memory. */
  async start(): Promise<void> {
    const { Redis } = await import('ioredis')
    if (this.closed) return
    const options: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: this.o.commandTimeoutMs,
      connectTimeout: Math.max(1000, this.o.commandTimeoutMs * 4),
      maxRetriesPerRequest: 0,
      // Keep trying for ever, at most every 2 s: Redis comes back by itself.
      retryStrategy: (times) => Math.min(100 * times, 2000),
    }
    const client = new Redis(this.o.url, options)
    client.on('ready', () => this.markUp())
    client.on('error', (err: Error) => this.markDown(err.message))
    client.on('close', () => this.markDown('connection closed'))
    this.client = client
    // Subscriptions are re-made after a reconnect by ioredis (autoResubscribe).
    const subscriber = new Redis(this.o.url, { ...options, enableOfflineQueue: true, commandTimeout: undefined })
    subscriber.on('error', () => undefined) // the command connection reports outages
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message))
    this.subscriber = subscriber
    await Promise.all([client.connect().catch(() => undefined), subscriber.connect().catch(() => undefined)])
    const channels = [...this.handlers.keys()]
    // Not connected: ioredis subscribes once it is (waiting for that here would hold start-up).
    const subscribed = channels.length ? subscriber.subscribe(...channels).catch(() => undefined) : undefined
    if (subscriber.status === 'ready') await subscribed
    this.firstAttempt?.()
  }

  /** Is Redis there now? When not, callers use their in-memory fallback. */
  get available(): boolean {
    return this.up
  }

  key(...parts: (string | number)[]): string {
    return this.o.prefix + parts.join(':')
  }

  /** Run commands; undefined when Redis is away or they failed (then it counts as away). */
  async run<T>(work: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    const client = this.client
    if (!this.up || !client) return undefined
    try {
      return await work(client)
    } catch (err) {
      // A script error is ours, not an outage: say so loudly instead of hiding it as one.
      if ((err as Error).name === 'ReplyError') {
        this.log.error(`Redis command failed: ${(err as Error).message}`)
        return undefined
      }
      this.markDown((err as Error).message)
      return undefined
    }
  }

  /** Run a Lua script by its SHA, loading it once when Redis does not know it yet. */
  script(source: string): (redis: Redis, keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown> {
    const sha = createHash('sha1').update(source).digest('hex')
    return async (redis, keys, args) => {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args)
      } catch (err) {
        if (!(err as Error).message.startsWith('NOSCRIPT')) throw err
        return redis.eval(source, keys.length, ...keys, ...args)
      }
    }
  }

  /** Tell the other instances (fire and forget; lost while Redis is away). */
  publish(channel: string, body: unknown): void {
    const message = JSON.stringify({ from: this.processId, body })
    void this.run((r) => r.publish(this.key(channel), message))
  }

  /** Messages other instances publish on this channel. */
  subscribe(channel: string, handler: Handler): void {
    const name = this.key(channel)
    const list = this.handlers.get(name)
    if (list) return void list.push(handler)
    this.handlers.set(name, [handler])
    void this.subscriber?.subscribe(name).catch(() => undefined)
  }

  /** Called each time Redis is (back) up: state kept in memory meanwhile is synced again. */
  onUp(listener: () => void): void {
    this.upListeners.push(listener)
    if (this.up) listener()
  }

  private deliver(channel: string, message: string): void {
    const handlers = this.handlers.get(channel)
    if (!handlers) return
    let parsed: { from?: string; body?: unknown }
    try {
      parsed = JSON.parse(message) as { from?: string; body?: unknown }
    } catch {
      return
    }
    if (parsed.from === this.processId) return
    for (const h of handlers) h(parsed.body)
  }

  private markUp(): void {
    if (this.up || this.closed) return
    this.up = true
    clearInterval(this.probe)
    this.probe = undefined
    if (this.downReported) this.log.info(`Redis at ${redisHost(this.o.url)} is back: state is shared across instances again`)
    else if (!this.everUp) this.log.info(`shared state in Redis at ${redisHost(this.o.url)}`)
    this.everUp = true
    this.downReported = false
    for (const listener of this.upListeners) listener()
  }

  private markDown(reason: string): void {
    if (this.closed) return
    this.firstAttempt?.()
    this.up = false
    if (!this.downReported) {
      this.downReported = true
      this.log.warn(`Redis at ${redisHost(this.o.url)} is unavailable (${reason}): each instance keeps its own state until it is back`)
    }
    // A connection that stayed open but stopped answering never emits 'ready' again: ping it.
    this.probe ??= setInterval(() => {
      if (this.client?.status !== 'ready') return
      this.client.ping().then(
        () => this.markUp(),
        () => undefined,
      )
    }, RECOVERY_PING_MS).unref()
  }

  async close(): Promise<void> {
    this.closed = true
    this.up = false
    clearInterval(this.probe)
    const quit = async (r: Redis | undefined) => {
      if (!r) return
      try {
        await r.quit()
      } catch {
        r.disconnect()
      }
    }
    await Promise.all([quit(this.client), quit(this.subscriber)])
  }
}
