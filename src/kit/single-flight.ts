// Many concurrent callers asking for the same key share one in-flight promise (token refresh);
// acrossInstances extends that to every instance sharing a Redis.
import type { CallContext } from './types.js'

export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>()

  run(key: string, work: () => Promise<T>): Promise<T> {
    const pending = this.inflight.get(key)
    if (pending) return pending
    const p = work().finally(() => this.inflight.delete(key))
    this.inflight.set(key, p)
    return p
  }
}

/**
 * Run a refresh as the only instance refreshing this credential (when instances share a Redis);
 * `work` must first look at the cached state again, since another instance may just have stored a
 * fresh token there. Without sharing it is simply work().
 */
export function acrossInstances<T>(ctx: Pick<CallContext<unknown>, 'exclusive'>, work: () => Promise<T>): Promise<T> {
  return ctx.exclusive ? ctx.exclusive(work) : work()
}
