// Usage rows are queued and written in one transaction per tick: one fsync for many requests,
// and nothing on the response path waits for the disk.
import type { Db } from '../db/client.js'
import { type NewUsage, insertUsageBatch } from '../db/usage.repo.js'
import type { Logger } from '../kit/log.js'

export class UsageRecorder {
  private queue: NewUsage[] = []
  private scheduled = false

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  record(row: NewUsage): void {
    this.queue.push(row)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
  }

  flush(): void {
    this.scheduled = false
    const rows = this.queue
    if (!rows.length) return
    this.queue = []
    try {
      insertUsageBatch(this.db, rows)
    } catch (err) {
      this.log.error(`could not write ${rows.length} usage records: ${(err as Error).message}`)
    }
  }
}
