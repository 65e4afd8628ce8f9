// Hands memory back when traffic stops. Under load V8 grows its young generation to the semi-space
// limit and the old generation well past what is live, and keeps both long after; its own memory
// reducer rarely acts within minutes, and a plain gc() frees objects but leaves the young
// generation at full size (16 MB with --max-semi-space-size=8). A memory-reducing collection
// (the one the inspector's HeapProfiler.collectGarbage runs: V8's low-memory notification) also
// shrinks the young generation and uncommits free pages, so RSS drops at once.
// It is a full, blocking collection (tens of ms), so it runs only after a quiet spell and only
// when the process has grown since the last trim; brief pauses in traffic are left alone.
import { createRequire } from 'node:module'

/** A memory-reducing full collection. */
export type Collect = () => Promise<void>

export interface TrimPolicy {
  /** Quiet intervals in a row before trimming (once per quiet spell). */
  quietTicks: number
  /** Trim only when RSS grew at least this much since the last trim. */
  growthBytes: number
}

export const DEFAULT_TRIM_POLICY: TrimPolicy = { quietTicks: 2, growthBytes: 8 * 1024 * 1024 }

export interface IdleTrim {
  /**
   * A request began (cheap: called on every request); call what it returns when it is over.
   * A long stream keeps the process busy however quiet it looks, so it is never paused for a trim.
   */
  touch(): () => void
  /** One interval's check; resolves true when it trimmed. The timer calls it every interval. */
  tick(): Promise<boolean>
  /** Trim now, whatever the traffic (after start-up: module loading leaves much garbage). */
  trimNow(): Promise<void>
  stop(): void
}

/** The trim logic without a timer. */
export function idleTrim(
  collect: Collect,
  rss: () => number,
  policy: TrimPolicy = DEFAULT_TRIM_POLICY,
  onTrim: (before: number, after: number) => void = () => undefined,
): Omit<IdleTrim, 'stop'> {
  let requests = 0
  let seen = 0
  let open = 0 // requests still running
  let quiet = 0
  let baseline = rss()
  let running = false
  const trimNow = async () => {
    const before = rss()
    running = true
    try {
      await collect()
    } finally {
      running = false
      baseline = rss()
      onTrim(before, baseline)
    }
  }
  return {
    touch: () => {
      requests++
      open++
      let over = false
      return () => {
        if (over) return
        over = true
        open--
      }
    },
    tick: async () => {
      if (requests !== seen || open > 0) {
        seen = requests
        quiet = 0
        return false
      }
      if (++quiet !== policy.quietTicks || running || rss() - baseline < policy.growthBytes) return false
      await trimNow()
      return true
    },
    trimNow,
  }
}

/**
 * The memory-reducing collection through an in-process inspector session (no port is opened; the
 * session is connected only while it runs). Falls back to node's gc() under --expose-gc on builds
 * without the inspector; undefined when neither exists.
 */
export function memoryReducingGc(): Collect | undefined {
  try {
    const { Session } = createRequire(import.meta.url)('node:inspector') as typeof import('node:inspector')
    return () =>
      new Promise<void>((done) => {
        const session = new Session()
        session.connect()
        session.post('HeapProfiler.collectGarbage', () => {
          // Not from inside the callback: node 20 stalls its event loop when a session disconnects there.
          setImmediate(() => {
            session.disconnect()
            done()
          })
        })
      })
  } catch {
    const gc = (globalThis as { gc?: () => void }).gc
    return gc ? async () => gc() : undefined
  }
}

const nothing = () => undefined
const noTrim: IdleTrim = {
  touch: () => nothing,
  tick: async () => false,
  trimNow: async () => undefined,
  stop: () => undefined,
}

export function startIdleTrim(
  collect: Collect | undefined,
  onTrim?: (before: number, after: number) => void,
  intervalMs = 1000,
  policy = DEFAULT_TRIM_POLICY,
): IdleTrim {
  if (!collect) return noTrim
  const trim = idleTrim(collect, () => process.memoryUsage.rss(), policy, onTrim)
  const timer = setInterval(() => void trim.tick(), intervalMs).unref()
  return { ...trim, stop: () => clearInterval(timer) }
}
