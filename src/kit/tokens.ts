// Token estimates for upstreams that report no usage. gpt-tokenizer ships its encodings in the
// package, so nothing is downloaded at run time. Its tables take ~58 MB, so they load on the first
// estimate, not at start (official APIs report usage and may never need them).
import { createRequire } from 'node:module'
import { textOf } from './messages.js'
import type { ChatMessage } from './types.js'

/** Per-message overhead of the chat format (role and separators), as OpenAI documents it. */
const PER_MESSAGE = 3
const PER_REPLY = 3

let countTokens: ((text: string) => number) | undefined

export function estimateTextTokens(text: string): number {
  if (!text) return 0
  countTokens ??= (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: (t: string) => number }).countTokens
  return countTokens(text)
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = PER_REPLY
  for (const m of messages) {
    total += PER_MESSAGE + estimateTextTokens(textOf(m.content))
    for (const call of m.tool_calls ?? []) total += estimateTextTokens(call.function.name + call.function.arguments)
  }
  return total
}
