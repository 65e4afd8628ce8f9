// The end of a task, exactly once: the task row turns final, the hold taken at submit is settled
// (the charge on success, nothing on failure), the usage row and the record are written: all in
// one transaction, so a relay that dies at any moment has either done all of it or none. The task's
// row is locked first (lockTask), so two instances polling the same task settle it once.
import type { Db } from '../../db/client.js'
import { type TaskRow, lockTask, updateTask } from '../../db/tasks.repo.js'
import type { MediaOutput, MediaSnapshot } from '../../kit/types.js'
import type { Billing, Price } from '../billing.js'
import { RECORD_AUDIO, RECORD_IMAGE, RECORD_VIDEO } from '../meter.js'
import type { ChatFailure } from '../chat/failure.js'

/** The record type of each media kind (records.record_type). */
export const RECORD_TYPE_OF = { image: RECORD_IMAGE, transcription: RECORD_AUDIO, music: RECORD_AUDIO, video: RECORD_VIDEO } as const

export interface Ending {
  /** The final snapshot of a completed task. */
  done?: MediaSnapshot
  /** Why a task failed. */
  failure?: ChatFailure
}

/** What the user sees of an output in the record: its URL, or a note for inline bytes. */
const where = (o: MediaOutput) => o.url ?? `[${o.kind}, ${o.mime ?? 'base64'} inline]`

/** What was made, for the price: images and seconds from the snapshot, else what was asked. */
export function madeOf(row: TaskRow, snap: MediaSnapshot) {
  const asked = row.request as { n?: number; seconds?: number }
  const usage = snap.usage ?? {}
  const images = usage.images ?? (row.kind === 'image' ? (snap.outputs?.filter((o) => o.kind === 'image').length ?? asked.n ?? 1) : 0)
  const seconds = usage.seconds ?? (row.kind === 'video' || row.kind === 'music' ? (asked.seconds ?? 0) : 0)
  return { images, seconds, promptTokens: usage.promptTokens ?? 0, completionTokens: usage.completionTokens ?? 0 }
}

/**
 * Settle the task once: later calls (a second poller, a restart that raced) find it final and do
 * nothing. Returns the row as it ends, or undefined when it had already ended.
 */
export function endTask(db: Db, billing: Billing, storeContent: boolean, id: string, price: Price | undefined, end: Ending): Promise<TaskRow | undefined> {
  return db.transaction(async (tx) => {
    const row = await lockTask(tx, id)
    if (!row || row.status === 'completed' || row.status === 'failed') return undefined
    const now = Date.now()
    const snap = end.done
    const made = snap ? madeOf(row, snap) : undefined
    const amount = made && price ? billing.mediaCost(price, made) : 0
    const hold = row.holdId && row.userId ? { id: row.holdId, userId: row.userId, amount: 0 } : undefined
    const request = row.request as { prompt?: string }
    const urls = snap?.outputs?.map(where) ?? []
    const charged = await billing.settle(
      {
        userId: row.userId,
        hold,
        price,
        usage: undefined,
        amount: snap ? amount : 0,
        usageRow: {
          requestId: row.requestId,
          clientRequestId: row.clientRequestId,
          createdAt: now,
          clientKeyId: row.keyId,
          userId: row.userId,
          provider: row.provider,
          credentialId: row.credentialId,
          model: row.model,
          servedModel: row.upstreamModel,
          stream: false,
          promptTokens: made?.promptTokens ?? 0,
          completionTokens: made?.completionTokens ?? 0,
          estimated: false,
          latencyMs: now - row.createdAt,
          ttftMs: null,
          status: snap ? 200 : (end.failure?.status ?? 500),
          errorClass: snap ? null : (end.failure?.kind ?? 'internal'),
        },
        record: snap
          ? {
              userId: row.userId,
              question: storeContent ? (request.prompt ?? '') : '',
              answer: storeContent ? (snap.text ?? urls.join('\n')) : '',
              content: storeContent ? JSON.stringify(urls) : '',
              toolCalls: null,
              model: row.model,
              servedModel: row.upstreamModel,
              recordType: row.recordType,
              chatId: row.chatId,
              createdAt: now,
            }
          : undefined,
      },
      tx,
    )
    const patch = snap
      ? {
          status: 'completed' as const,
          progress: 100,
          outputs: snap.outputs ?? [],
          text: snap.text ?? null,
          usage: made as Record<string, number>,
          charged,
        }
      : { status: 'failed' as const, error: end.failure?.message ?? 'failed', errorKind: end.failure?.kind ?? 'internal', charged: 0 }
    await updateTask(tx, id, { ...patch, holdId: null, updatedAt: now, completedAt: now })
    return { ...row, ...patch, holdId: null, updatedAt: now, completedAt: now }
  })
}
