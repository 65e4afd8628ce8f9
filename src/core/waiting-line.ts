// Requests waiting for something scarce (a credential's slot), one line per key, first come first
// served: when something frees up, wake() offers it to the waiters in arrival order, and the first
// whose take() succeeds gets it. A waiter leaves on timeout or when its signal aborts.

interface Waiter<T> {
  take(): T | undefined
  grant(value: T): void
}

export class WaitingLine<T> {
  private readonly lines = new Map<string, Waiter<T>[]>()
  private waking = false

  /** How many wait in this line. */
  size(key: string): number {
    return this.lines.get(key)?.length ?? 0
  }

  /** Wait until take() succeeds in a wake(), or timeoutMs passes (undefined); rejects on abort. */
  wait(key: string, take: () => T | undefined, timeoutMs: number, signal: AbortSignal): Promise<T | undefined> {
    signal.throwIfAborted()
    const line = this.lines.get(key) ?? []
    if (line.length === 0) this.lines.set(key, line)
    return new Promise<T | undefined>((resolve, reject) => {
      const leave = () => {
        const at = line.indexOf(waiter)
        if (at >= 0) line.splice(at, 1)
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
      }
      const onAbort = () => {
        leave()
        reject(signal.reason)
      }
      const waiter: Waiter<T> = {
        take,
        grant: (value) => {
          leave()
          resolve(value)
        },
      }
      const timer = setTimeout(() => {
        leave()
        resolve(undefined)
      }, timeoutMs)
      signal.addEventListener('abort', onAbort, { once: true })
      line.push(waiter)
    })
  }

  /** Something freed up: let the waiters take it, in arrival order. */
  wake(key: string): void {
    const line = this.lines.get(key)
    // take() may change state that wakes this line again: the loop below already covers that.
    if (line === undefined || line.length === 0 || this.waking) return
    this.waking = true
    try {
      for (let i = 0; i < line.length; ) {
        const waiter = line[i]!
        const value = waiter.take()
        if (value !== undefined) waiter.grant(value) // grant() takes it out of the line
        else i++
      }
    } finally {
      this.waking = false
    }
  }
}
