// History hash → upstream conversation, per provider; the owning credential continues it.
import { and, eq, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import { upsert } from './dialect.js'
import type { conversations } from './schema.js'

export type ConversationRow = typeof conversations.$inferSelect

export type FoundConversation = Pick<ConversationRow, 'credentialId' | 'conversationId' | 'parentId'>

/** A lookup that runs on most chat requests: on SQLite one prepared statement. */
export function conversationFinder(db: Db): (provider: string, historyHash: string) => Promise<FoundConversation | undefined> {
  if (db.sqlite) {
    const stmt = db.sqlite.prepare(
      'select credential_id as credentialId, conversation_id as conversationId, parent_id as parentId from conversations where provider = ? and history_hash = ?',
    )
    return async (provider, historyHash) => stmt.get(provider, historyHash) as FoundConversation | undefined
  }
  const c = db.t.conversations
  return async (provider, historyHash) =>
    (
      await db.orm
        .select({ credentialId: c.credentialId, conversationId: c.conversationId, parentId: c.parentId })
        .from(c)
        .where(and(eq(c.provider, provider), eq(c.historyHash, historyHash)))
        .limit(1)
    )[0]
}

/** Providers that hold at least one mapping: the others need no lookup at all. */
export async function providersWithConversations(db: Db): Promise<string[]> {
  const c = db.t.conversations
  return (await db.orm.selectDistinct({ provider: c.provider }).from(c)).map((r) => r.provider)
}

export async function saveConversation(db: Db, row: Omit<ConversationRow, 'id'>): Promise<void> {
  const c = db.t.conversations
  await upsert(db, c, row, [c.provider, c.historyHash], {
    credentialId: row.credentialId,
    conversationId: row.conversationId,
    parentId: row.parentId,
    updatedAt: row.updatedAt,
  })
}

/** Is any mapping still pointing at this upstream conversation? */
export async function conversationInUse(db: Db, provider: string, conversationId: string): Promise<boolean> {
  const c = db.t.conversations
  const rows = await db.orm
    .select({ id: c.id })
    .from(c)
    .where(and(eq(c.provider, provider), eq(c.conversationId, conversationId)))
    .limit(1)
  return rows.length > 0
}

/** Remove mappings older than `before` and return them so upstream chats can be deleted too. */
export async function pruneConversations(db: Db, before: number): Promise<ConversationRow[]> {
  const c = db.t.conversations
  return db.transaction(async (tx) => {
    const old = await tx.orm.select().from(c).where(lt(c.updatedAt, before))
    if (old.length) await tx.write(() => tx.orm.delete(c).where(lt(c.updatedAt, before)))
    return old
  })
}
