// Rows written in batches, one transaction per batch: many requests share one commit and nothing
// on the response path waits for the disk. Readers await flush() first. Batches are written one
// after another, so awaiting flush() also waits for a batch a timer had already sent.
// Batches are short (20 ms, or 64 rows at once): a row that waits in the queue longer than two
// young-generation collections is promoted to V8's old space, and under load a 250 ms queue made
// the usage rows the bulk of what was promoted, driving full collections and the heap's peak.
import type { Logger } from '../kit/log.js'

export class BatchWriter<T> {
  private queue: T[] = []
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly log: Logger,
    private readonly what: string,
    private readonly delayMs = 20,
    private readonly maxRows = 64,
  ) {}

  push(row: T): void {
    this.queue.push(row)
    if (this.queue.length >= this.maxRows) {
      clearTimeout(this.timer)
      this.timer = undefined
      setImmediate(() => void this.flush()) // after the current turn: the response is already out
    } else this.timer ??= setTimeout(() => void this.flush(), this.delayMs).unref()
  }

  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const rows = this.queue
    if (rows.length) {
      this.queue = []
      this.writing = this.writing.then(() =>
        this.write(rows).catch((err: unknown) => this.log.error(`could not write ${rows.length} ${this.what}: ${(err as Error).message}`)),
      )
    }
    return this.writing
  }
}
