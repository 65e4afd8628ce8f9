// Stored Responses API answers: what makes previous_response_id, item_reference and
// GET/DELETE /v1/responses/{id} work. Each row keeps one turn (its new input and its answer, as
// chat messages) and names the turn before it; a later turn's history is the chain walked back.
// The history is exactly the messages the earlier turn relayed plus its answer, so a web-chat
// upstream recognises it and continues the same upstream conversation (core/conversations.ts).
import type { Db } from '../db/client.js'
import {
  type StoredResponseRow,
  deleteStoredResponse,
  findResponseLink,
  findResponseTurn,
  findStoredResponse,
  insertStoredResponse,
  pruneStoredResponses,
} from '../db/responses.repo.js'
import type { ChatMessage } from '../kit/types.js'
import { randomId } from './ids.js'

/** Who may see a response: the user of the key that created it, or that key alone when it has no user. */
export interface ResponseOwner {
  keyId: number | null
  userId: string | null
}

export interface NewStoredResponse {
  id: string
  owner: ResponseOwner
  previousId: string | null
  /** The turn's input items with ids (GET .../input_items, item_reference). */
  inputItems: Record<string, unknown>[]
  /** The turn's input as chat messages, instructions excluded (they do not carry over). */
  messages: ChatMessage[]
  /** The answer as chat messages. */
  output: ChatMessage[]
  /** The response object as the client got it. */
  response: Record<string, unknown>
}

/** Turns a history may reach back; a longer chain keeps its newest turns. */
const MAX_CHAIN = 1000

/**
 * Ids: a response is `resp_<token>`, and each item Freeway makes for it `<kind>_<token>_<n>`
 * (msg_, rs_, fc_...), so an item_reference leads straight to its response.
 */
export const newResponseToken = (): string => randomId('', 12)
const ITEM_ID = /^[a-z]+_([A-Za-z0-9_-]{16})_(?:in)?\d+$/

export function responseIdOfItem(itemId: string): string | undefined {
  const token = ITEM_ID.exec(itemId)?.[1]
  return token ? `resp_${token}` : undefined
}

function owns(row: { userId: string | null; keyId: number | null }, owner: ResponseOwner): boolean {
  if (row.userId !== null) return row.userId === owner.userId
  return owner.userId === null && row.keyId === owner.keyId
}

export class ResponsesStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  save(r: NewStoredResponse): Promise<void> {
    return insertStoredResponse(this.db, {
      id: r.id,
      userId: r.owner.userId,
      keyId: r.owner.keyId,
      previousId: r.previousId,
      inputItems: r.inputItems,
      messages: r.messages,
      output: r.output,
      response: r.response,
      createdAt: this.now(),
    })
  }

  /** The response if the owner may see it. */
  async get(id: string, owner: ResponseOwner): Promise<StoredResponseRow | undefined> {
    const row = await findStoredResponse(this.db, id)
    return row && owns(row, owner) ? row : undefined
  }

  /**
   * The chat history a turn continuing `id` starts from (oldest first), or undefined when the owner
   * has no such response. Turns pruned from the start of a long chain are simply gone.
   */
  async history(id: string, owner: ResponseOwner): Promise<ChatMessage[] | undefined> {
    const first = await findResponseLink(this.db, id)
    if (!first || !owns(first, owner)) return undefined
    const ids: string[] = []
    const seen = new Set<string>()
    for (let link: typeof first | undefined = first; link && owns(link, owner) && !seen.has(link.id) && ids.length < MAX_CHAIN; ) {
      seen.add(link.id)
      ids.push(link.id)
      link = link.previousId ? await findResponseLink(this.db, link.previousId) : undefined
    }
    const messages: ChatMessage[] = []
    for (const turnId of ids.reverse()) {
      const turn = await findResponseTurn(this.db, turnId)
      if (turn) messages.push(...(turn.messages as ChatMessage[]), ...(turn.output as ChatMessage[]))
    }
    return messages
  }

  /** An item of one of the owner's responses (output first, then input), for item_reference. */
  async item(itemId: string, owner: ResponseOwner): Promise<Record<string, unknown> | undefined> {
    const responseId = responseIdOfItem(itemId)
    const row = responseId ? await this.get(responseId, owner) : undefined
    if (!row) return undefined
    const output = Array.isArray(row.response.output) ? (row.response.output as Record<string, unknown>[]) : []
    return [...output, ...(row.inputItems as Record<string, unknown>[])].find((item) => item.id === itemId)
  }

  /** The items these ids name (those the owner may see), for a turn's item_references. */
  async items(ids: readonly string[], owner: ResponseOwner): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>()
    for (const id of ids) {
      const item = await this.item(id, owner)
      if (item) found.set(id, item)
    }
    return found
  }

  async delete(id: string, owner: ResponseOwner): Promise<boolean> {
    return (await this.get(id, owner)) !== undefined && deleteStoredResponse(this.db, id)
  }

  prune(before: number): Promise<number> {
    return pruneStoredResponses(this.db, before)
  }
}
