// Hands memory back when traffic stops. Under load V8 lets the heap grow to several times what is
// live and keeps it long after (its own memory reducer rarely shrinks it within minutes); one full
// collection after the first quiet 3 s following a busy spell, and one more 3 s later (pages the
// first one freed are returned then), bring the process back near its idle size. Not sooner: a
// forced collection costs the next burst some warm-up, so brief pauses are left alone.
// Needs node's --expose-gc (npm start and the Dockerfile pass it); without it this does nothing.

export interface IdleTrim {
  /** Count one request (cheap: called on every request). */
  touch(): void
  /** One quiet-interval check (the timer calls it every quietMs). */
  tick(): void
  stop(): void
}

/** The trim logic without a timer. */
export function idleTrim(gc: () => void, passes = 2): Omit<IdleTrim, 'stop'> {
  let requests = 0
  let seen = 0
  let owed = 0 // collections still owed since the last busy interval
  return {
    touch: () => {
      requests++
    },
    tick: () => {
      if (requests !== seen) {
        seen = requests
        owed = passes
      } else if (owed > 0) {
        owed--
        gc()
      }
    },
  }
}

export function startIdleTrim(gc: (() => void) | undefined, quietMs = 3000, passes = 2): IdleTrim {
  if (!gc) return { touch: () => undefined, tick: () => undefined, stop: () => undefined }
  const trim = idleTrim(gc, passes)
  const timer = setInterval(trim.tick, quietMs).unref()
  return { ...trim, stop: () => clearInterval(timer) }
}

/** node's gc() when the process was started with --expose-gc. */
export const exposedGc = (): (() => void) | undefined => (globalThis as { gc?: () => void }).gc
