// Server-side chat sessions (the Coze chatbot API shape): the history lives here, so the relay
// gets the whole conversation each turn and its history map continues the upstream conversation.
import { randomUUID } from 'node:crypto'
import type { Config } from '../config/schema.js'
import type { Db } from '../db/client.js'
import {
  type SessionMessage,
  type SessionRow,
  claimSession,
  findSession,
  insertSession,
  pruneSessions,
  updateSession,
} from '../db/sessions.repo.js'

export type SessionStatus = 'active' | 'busy' | 'expired'

/** Another turn of this session is still running. */
export class SessionBusy extends Error {
  constructor(id: string) {
    super(`session ${id} is answering another message; retry when it is done`)
    this.name = 'SessionBusy'
  }
}

export class Sessions {
  constructor(
    private readonly db: Db,
    private readonly config: Config['sessions'],
    private readonly now: () => number = Date.now,
  ) {}

  private expired(row: SessionRow, now = this.now()): boolean {
    return row.lastActivity + this.config.idle_ttl_ms < now
  }

  status(row: SessionRow): SessionStatus {
    const now = this.now()
    if (row.busyUntil && row.busyUntil > now) return 'busy'
    return this.expired(row, now) ? 'expired' : 'active'
  }

  get(id: string): Promise<SessionRow | undefined> {
    return findSession(this.db, id)
  }

  /**
   * Claim the session for one turn, creating it when new. An idle-expired session starts over.
   * Throws SessionBusy while another turn runs.
   */
  async begin(id: string | undefined, userId: string | null, keyId: number | null): Promise<SessionRow> {
    const sessionId = id || randomUUID()
    const now = this.now()
    await insertSession(this.db, { sessionId, userId, keyId, model: null, conversationId: null, messages: [], busyUntil: null, lastActivity: now, createdAt: now })
    if (!(await claimSession(this.db, sessionId, now, now + this.config.turn_timeout_ms))) throw new SessionBusy(sessionId)
    const row = (await findSession(this.db, sessionId))!
    if (!this.expired(row, now)) return row
    await updateSession(this.db, sessionId, { messages: [], conversationId: null, lastActivity: now })
    return { ...row, messages: [], conversationId: null, lastActivity: now }
  }

  /** The session after a successful turn: the question, the answer exactly as streamed, the conversation. */
  afterTurn(row: SessionRow, turn: { question: string; answer: string; model: string; conversationId?: string | undefined }): SessionRow {
    const messages: SessionMessage[] = [...row.messages, { role: 'user', content: turn.question }, { role: 'assistant', content: turn.answer }]
    return { ...row, messages, model: turn.model, conversationId: turn.conversationId ?? row.conversationId, busyUntil: null, lastActivity: this.now() }
  }

  /** Store what afterTurn made (and free the session for its next turn). */
  async save(row: SessionRow): Promise<void> {
    const { sessionId, messages, model, conversationId, busyUntil, lastActivity } = row
    await updateSession(this.db, sessionId, { messages, model, conversationId, busyUntil, lastActivity })
  }

  /** The turn succeeded: keep the question, the answer exactly as streamed, and the conversation. */
  async complete(row: SessionRow, turn: { question: string; answer: string; model: string; conversationId?: string | undefined }): Promise<SessionRow> {
    const next = this.afterTurn(row, turn)
    await this.save(next)
    return next
  }

  /** The turn failed or was abandoned: the history stays as it was. */
  release(id: string): Promise<void> {
    return updateSession(this.db, id, { busyUntil: null, lastActivity: this.now() })
  }

  clear(id: string): Promise<void> {
    return updateSession(this.db, id, { messages: [], conversationId: null, lastActivity: this.now() })
  }

  prune(now = this.now()): Promise<number> {
    return pruneSessions(this.db, now - this.config.idle_ttl_ms)
  }
}
