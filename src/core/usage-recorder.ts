// One usage row per relayed request, batched (see BatchWriter); listeners hear of each row.
import type { Db } from '../db/client.js'
import { type NewUsage, insertUsageBatch } from '../db/usage.repo.js'
import type { Logger } from '../kit/log.js'
import { BatchWriter } from './batch-writer.js'

export class UsageRecorder {
  private readonly batch: BatchWriter<NewUsage>

  constructor(db: Db, log: Logger) {
    this.batch = new BatchWriter((rows) => insertUsageBatch(db, rows), log, 'usage records')
  }

  /** Told of every row, written here or in a billing transaction (metrics, token limits). */
  readonly listeners: ((row: NewUsage, recordType: number | undefined, provider: string | undefined) => void)[] = []

  record(row: NewUsage, recordType?: number, provider?: string): void {
    this.seen(row, recordType, provider)
    this.batch.push(row)
  }

  /** A row billing wrote itself: only the listeners hear of it. */
  seen(row: NewUsage, recordType?: number, provider?: string): void {
    for (const listener of this.listeners) listener(row, recordType, provider)
  }

  flush(): Promise<void> {
    return this.batch.flush()
  }
}
