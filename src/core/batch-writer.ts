// Rows written in batches, one transaction per batch: many requests share one fsync and nothing
// on the response path waits for the disk. Readers call flush() first.
import type { Logger } from '../kit/log.js'

export class BatchWriter<T> {
  private queue: T[] = []
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly write: (rows: T[]) => void,
    private readonly log: Logger,
    private readonly what: string,
    private readonly delayMs = 250,
  ) {}

  push(row: T): void {
    this.queue.push(row)
    this.timer ??= setTimeout(() => this.flush(), this.delayMs).unref()
  }

  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const rows = this.queue
    if (!rows.length) return
    this.queue = []
    try {
      this.write(rows)
    } catch (err) {
      this.log.error(`could not write ${rows.length} ${this.what}: ${(err as Error).message}`)
    }
  }
}
