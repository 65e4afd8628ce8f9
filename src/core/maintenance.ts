// Background upkeep: heal credentials on a timer, prune old records and conversations daily,
// expire idle sessions and release stale billing holds hourly.
import { conversationInUse, pruneConversations } from '../db/conversations.repo.js'
import { pruneIdempotent } from '../db/idempotency.repo.js'
import { pruneRecords } from '../db/records.repo.js'
import { pruneStoredResponses } from '../db/responses.repo.js'
import { pruneTasks } from '../db/tasks.repo.js'
import { pruneUsage } from '../db/usage.repo.js'
import type { Services } from '../services.js'
import { callContext } from './call-context.js'
import { healAll } from './credential-service.js'

const DAY_MS = 24 * 3600_000
/** A retried admin call is replayed for this long; clients retry within minutes, not days. */
const IDEMPOTENCY_TTL_MS = 7 * DAY_MS

/**
 * What the last run of this instance left unfinished: reservations of requests that died with it
 * are given back; media tasks still running upstream are polled on (and settled when they end).
 */
export async function recoverAtStart(s: Services): Promise<void> {
  await s.billing.releaseLeftBehind()
  await s.tasks.resume()
}

/** Expired sessions, stale billing holds (crashed requests) and old idempotency keys. */
export async function sweep(s: Services, now = Date.now()): Promise<{ sessions: number; holds: number }> {
  await pruneIdempotent(s.db, now - IDEMPOTENCY_TTL_MS)
  return { sessions: await s.sessions.prune(now), holds: await s.billing.releaseStale(now) }
}

/** Delete usage, chat records, stored responses, finished media tasks and conversation mappings older than records.chat_max_days (-1 keeps all). */
export async function pruneOld(s: Services, now = Date.now()): Promise<{ usage: number; records: number; responses: number; conversations: number }> {
  const days = s.config.records.chat_max_days
  if (days < 0) return { usage: 0, records: 0, responses: 0, conversations: 0 }
  const before = now - days * DAY_MS
  await s.recorder.flush()
  await s.billing.flush()
  const usage = await pruneUsage(s.db, before)
  const records = await pruneRecords(s.db, before)
  const responses = await pruneStoredResponses(s.db, before)
  // Finished media tasks go with their records; running ones stay whatever their age.
  await pruneTasks(s.db, before)
  const rows = await pruneConversations(s.db, before)
  const seen = new Set<string>()
  for (const row of rows) {
    // Older turns of a conversation that is still active share its id: leave those chats alone.
    const key = `${row.provider}\u0000${row.conversationId}`
    if (seen.has(key) || (await conversationInUse(s.db, row.provider, row.conversationId))) continue
    seen.add(key)
    const instance = s.instances.get(row.provider)
    const lease = instance?.adapter.deleteConversation ? s.pool.leaseForProbe(row.provider, row.credentialId) : undefined
    if (!instance || !lease) continue
    const ctx = callContext(instance, lease, AbortSignal.timeout(instance.settings.timeout_ms), s.log)
    const ref = row.parentId ? { conversationId: row.conversationId, parentId: row.parentId } : { conversationId: row.conversationId }
    await instance.adapter.deleteConversation!(ref, ctx).catch((err: unknown) =>
      s.log.debug(`could not delete old ${row.provider} conversation: ${(err as Error).message}`),
    )
  }
  return { usage, records, responses, conversations: rows.length }
}

export function startMaintenance(s: Services): () => void {
  const timers: NodeJS.Timeout[] = []
  const every = (ms: number, job: () => Promise<unknown>) => {
    if (ms <= 0) return
    const t = setInterval(() => {
      job().catch((err: unknown) => s.log.warn(`maintenance job failed: ${(err as Error).message}`))
    }, ms)
    t.unref()
    timers.push(t)
  }
  every(s.config.pool.probe_interval_ms, () => healAll(s))
  every(DAY_MS, () => pruneOld(s))
  every(Math.min(s.config.sessions.idle_ttl_ms, 3600_000), () => sweep(s))
  return () => {
    for (const t of timers) clearInterval(t)
  }
}
