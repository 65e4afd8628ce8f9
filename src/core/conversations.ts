// Multi-turn for clients that resend the whole history: remember which upstream conversation a
// history belongs to, so the next turn continues it instead of starting over.
import { createHash } from 'node:crypto'
import type { Db } from '../db/client.js'
import { type FoundConversation, conversationFinder, providersWithConversations, saveConversation } from '../db/conversations.repo.js'
import { textOf } from '../kit/messages.js'
import type { ChatMessage, ConversationRef } from '../kit/types.js'

const THINK_BLOCK = /^\s*<think>[\s\S]*?<\/think>\s*/

/** Hash roles and texts the way the client will send them back (think blocks removed). */
export function historyHash(model: string, messages: readonly ChatMessage[]): string {
  const h = createHash('sha256').update(`${model}\u0002`)
  for (const m of messages) {
    let text = textOf(m.content)
    if (m.role === 'assistant') text = text.replace(THINK_BLOCK, '')
    h.update(`${m.role}\u0000${text.trim()}\u0000${m.tool_calls ? JSON.stringify(m.tool_calls) : ''}\u0001`)
  }
  return h.digest('hex')
}

export interface KnownConversation extends ConversationRef {
  credentialId: number
}

export class ConversationMemory {
  private readonly find: (provider: string, hash: string) => FoundConversation | undefined
  /** Providers that ever returned a conversation; stateless ones (official APIs) skip the hashing. */
  private readonly stateful: Set<string>

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.find = conversationFinder(db)
    this.stateful = new Set(providersWithConversations(db))
  }

  /** The conversation this history continues, if the last message is a new user turn. */
  lookup(provider: string, model: string, messages: readonly ChatMessage[]): KnownConversation | undefined {
    if (!this.stateful.has(provider) || messages.length < 2 || messages.at(-1)?.role !== 'user') return undefined
    const row = this.find(provider, historyHash(model, messages.slice(0, -1)))
    if (!row) return undefined
    return { credentialId: row.credentialId, conversationId: row.conversationId, ...(row.parentId ? { parentId: row.parentId } : {}) }
  }

  remember(
    provider: string,
    model: string,
    credentialId: number,
    messages: readonly ChatMessage[],
    answer: string,
    ref: ConversationRef,
  ): void {
    this.stateful.add(provider)
    const next = [...messages, { role: 'assistant' as const, content: answer }]
    saveConversation(this.db, {
      provider,
      credentialId,
      historyHash: historyHash(model, next),
      conversationId: ref.conversationId,
      parentId: ref.parentId ?? null,
      updatedAt: this.now(),
    })
  }
}
