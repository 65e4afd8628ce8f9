// HixAI2Api's conversation reuse: the hash of the last user/assistant pair names the hix chat
// that produced it. Kept per credential in its state, so a later request on the same cookie
// continues that chat even when the client trimmed or edited older history.
import { createHash } from 'node:crypto'
import { textOf } from '../../src/kit/messages.js'
import type { ChatMessage } from '../../src/kit/types.js'

export interface PairEntry {
  chat: string
  at: number
}
export type PairMap = Readonly<Record<string, PairEntry>>

/** JSON the way Go's json.Marshal writes it: HTML-significant characters escaped. */
export function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/** Reasoning that came back folded into the content is not part of the answer we stored. */
export function stripThink(text: string): string {
  return text.replace(/^\s*<think>[\s\S]*?<\/think>/, '').trim()
}

/**
 * SHA-256 of `[{"role":"user",...},{"role":"assistant",...}]` as HixAI2Api computes it: Go JSON,
 * the `\n` `\t` `\r` escape sequences deleted, trimmed.
 */
export function pairHash(user: string, assistant: string): string {
  const json = goJson([
    { role: 'user', content: user },
    { role: 'assistant', content: stripThink(assistant) },
  ])
  const squeezed = json.replace(/\\[ntr]/g, '').trim()
  return createHash('sha256').update(squeezed, 'utf8').digest('hex')
}

/**
 * Key of a history that ends with an assistant answer: the hash of its last user/assistant pair.
 * This is the shape the core's history mapping uses (lookup with the history before the newest
 * user message, store with the history plus the answer), so it can serve as that mapping's key.
 */
export function lastPairKey(history: readonly ChatMessage[]): string | undefined {
  const n = history.length
  const [user, assistant] = [history[n - 2], history[n - 1]]
  if (user?.role !== 'user' || assistant?.role !== 'assistant') return undefined
  const answer = textOf(assistant.content)
  return answer.trim() ? pairHash(textOf(user.content), answer) : undefined
}

/** Key of the pair just before the newest user message, if the request has one. */
export function incomingPairKey(messages: readonly ChatMessage[]): string | undefined {
  if (messages.length < 3 || messages[messages.length - 1]!.role !== 'user') return undefined
  return lastPairKey(messages.slice(0, -1))
}

/** Key the next turn will arrive with, once `answer` has been given to the newest user message. */
export function outgoingPairKey(messages: readonly ChatMessage[], answer: string): string | undefined {
  return lastPairKey([...messages, { role: 'assistant', content: answer }])
}

const slot = (model: string, key: string) => `${model}:${key}`

export function findPairChat(pairs: PairMap | undefined, model: string, key: string | undefined): string | undefined {
  return key ? pairs?.[slot(model, key)]?.chat : undefined
}

/** Add an entry, dropping the oldest beyond `cap`, so the credential state stays small. */
export function rememberPair(pairs: PairMap | undefined, model: string, key: string, chat: string, now: number, cap: number): PairMap {
  const id = slot(model, key)
  const entries: [string, PairEntry][] = [[id, { chat, at: now }], ...Object.entries(pairs ?? {}).filter(([k]) => k !== id)]
  entries.sort((a, b) => b[1].at - a[1].at) // stable: the new entry wins ties
  return Object.fromEntries(entries.slice(0, Math.max(0, cap)))
}

export function forgetChat(pairs: PairMap | undefined, chat: string): PairMap {
  return Object.fromEntries(Object.entries(pairs ?? {}).filter(([, e]) => e.chat !== chat))
}

