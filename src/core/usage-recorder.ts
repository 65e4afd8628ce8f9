// One usage row per relayed request, batched (see BatchWriter).
import type { Db } from '../db/client.js'
import { type NewUsage, insertUsageBatch } from '../db/usage.repo.js'
import type { Logger } from '../kit/log.js'
import { BatchWriter } from './batch-writer.js'

export class UsageRecorder {
  private readonly batch: BatchWriter<NewUsage>

  constructor(db: Db, log: Logger) {
    this.batch = new BatchWriter((rows) => insertUsageBatch(db, rows), log, 'usage records')
  }

  record(row: NewUsage): void {
    this.batch.push(row)
  }

  flush(): void {
    this.batch.flush()
  }
}
