// Many concurrent callers asking for the same key share one in-flight promise (token refresh).
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
