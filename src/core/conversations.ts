// Multi-turn for clients that resend the whole history: remember which upstream conversation a
// history belongs to, so the next turn continues it instead of starting over.
import { createHash } from 'node:crypto'
import type { Db } from '../db/client.js'
import { type FoundConversation, conversationFinder, providersWithConversations, saveConversation } from '../db/conversations.repo.js'
import { isObject, tryJson } from '../kit/json.js'
import { textOf } from '../kit/messages.js'
import type { ChatMessage, ConversationRef } from '../kit/types.js'

const THINK_BLOCK = /^\s*<think>[\s\S]*?<\/think>\s*/

/** A tool call as the answer carried it: what a remembered turn needs of it. */
export interface CalledTool {
  name: string
  args: string
}

/**
 * Hash roles and texts the way the client will send them back (think blocks removed). Tool calls
 * count by name and arguments only, in order: their ids may be ours or the client's own, and a
 * client that re-serialises the arguments may change spacing and key order.
 */
export function historyHash(model: string, messages: readonly ChatMessage[]): string {
  const h = createHash('sha256').update(`${model}\u0002`)
  for (const m of messages) {
    let text = textOf(m.content)
    if (m.role === 'assistant') text = text.replace(THINK_BLOCK, '')
    const calls = m.tool_calls?.map((c) => `${c.function.name}\u0003${canonicalJson(c.function.arguments)}`).join('\u0004') ?? ''
    h.update(`${m.role}\u0000${text.trim()}\u0000${calls}\u0001`)
  }
  return h.digest('hex')
}

function canonicalJson(text: string): string {
  const value = tryJson(text)
  return value === undefined ? text.trim() : JSON.stringify(sortedKeys(value))
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys)
  if (!isObject(value)) return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys(value[k])]),
  )
}

/**
 * Where the newest turn begins: the last user message, or the tool results (with the user
 * message after them) that answer the assistant's calls; -1 when the history ends otherwise.
 */
function newTurnStart(messages: readonly ChatMessage[]): number {
  let start = messages.length
  if (messages[start - 1]?.role === 'user') start--
  while (start > 0 && messages[start - 1]!.role === 'tool') start--
  return start === messages.length ? -1 : start
}

export interface KnownConversation extends ConversationRef {
  credentialId: number
}

export class ConversationMemory {
  private readonly find: (provider: string, hash: string) => Promise<FoundConversation | undefined>
  /**
   * Providers that ever returned a conversation; stateless ones (official APIs) skip the hashing.
   * Undefined on a shared database: another instance may have stored one since, so always look.
   */
  private stateful: Set<string> | undefined

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.find = conversationFinder(db)
  }

  /** Read which providers hold conversations (once, at start; SQLite only, see `stateful`). */
  async load(): Promise<void> {
    this.stateful = this.db.dialect === 'sqlite' ? new Set(await providersWithConversations(this.db)) : undefined
  }

  /** Told when a provider returns its first conversation, so other instances start looking up too. */
  onStateful: ((provider: string) => void) | undefined

  /** Another instance saw this provider return a conversation. */
  markStateful(provider: string): void {
    this.stateful?.add(provider)
  }

  /**
   * The conversation this history continues, if it ends with a new user turn or tool results.
   * Undefined at once (no promise) for a provider that never returned one, and for a first turn.
   */
  lookup(provider: string, model: string, messages: readonly ChatMessage[]): KnownConversation | undefined | Promise<KnownConversation | undefined> {
    if (this.stateful && !this.stateful.has(provider)) return undefined
    const start = newTurnStart(messages)
    if (start < 1) return undefined
    return this.find(provider, historyHash(model, messages.slice(0, start))).then((row) =>
      row ? { credentialId: row.credentialId, conversationId: row.conversationId, ...(row.parentId ? { parentId: row.parentId } : {}) } : undefined,
    )
  }

  remember(
    provider: string,
    model: string,
    credentialId: number,
    messages: readonly ChatMessage[],
    answer: string,
    ref: ConversationRef,
    /** The answer's tool calls (emulated ones included), as the client will send them back. */
    toolCalls: readonly CalledTool[] = [],
  ): Promise<void> {
    if (this.stateful && !this.stateful.has(provider)) {
      this.stateful.add(provider)
      this.onStateful?.(provider)
    }
    const tool_calls = toolCalls.map((c) => ({ id: '', type: 'function' as const, function: { name: c.name, arguments: c.args } }))
    const next = [...messages, { role: 'assistant' as const, content: answer, ...(tool_calls.length ? { tool_calls } : {}) }]
    return saveConversation(this.db, {
      provider,
      credentialId,
      historyHash: historyHash(model, next),
      conversationId: ref.conversationId,
      parentId: ref.parentId ?? null,
      updatedAt: this.now(),
    })
  }
}
