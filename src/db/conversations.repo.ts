// History hash → upstream conversation, per provider; the owning credential continues it.
import { and, eq, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import { conversations } from './schema.js'

export type ConversationRow = typeof conversations.$inferSelect

export type FoundConversation = Pick<ConversationRow, 'credentialId' | 'conversationId' | 'parentId'>

/** A lookup bound to one prepared statement: it runs on most chat requests. */
export function conversationFinder(db: Db): (provider: string, historyHash: string) => FoundConversation | undefined {
  const stmt = db.$client.prepare(
    'select credential_id as credentialId, conversation_id as conversationId, parent_id as parentId from conversations where provider = ? and history_hash = ?',
  )
  return (provider, historyHash) => stmt.get(provider, historyHash) as FoundConversation | undefined
}

/** Providers that hold at least one mapping: the others need no lookup at all. */
export const providersWithConversations = (db: Db): string[] =>
  db
    .selectDistinct({ provider: conversations.provider })
    .from(conversations)
    .all()
    .map((r) => r.provider)

export function saveConversation(db: Db, row: Omit<ConversationRow, 'id'>): void {
  db.insert(conversations)
    .values(row)
    .onConflictDoUpdate({
      target: [conversations.provider, conversations.historyHash],
      set: {
        credentialId: row.credentialId,
        conversationId: row.conversationId,
        parentId: row.parentId,
        updatedAt: row.updatedAt,
      },
    })
    .run()
}

/** Is any mapping still pointing at this upstream conversation? */
export const conversationInUse = (db: Db, provider: string, conversationId: string): boolean =>
  db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.provider, provider), eq(conversations.conversationId, conversationId)))
    .get() !== undefined

/** Remove mappings older than `before` and return them so upstream chats can be deleted too. */
export function pruneConversations(db: Db, before: number): ConversationRow[] {
  return db.delete(conversations).where(lt(conversations.updatedAt, before)).returning().all()
}
