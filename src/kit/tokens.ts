// Token estimates for upstreams that report no usage. gpt-tokenizer ships its encodings in the
// package, so nothing is downloaded at run time.
import { countTokens } from 'gpt-tokenizer'
import { textOf } from './messages.js'
import type { ChatMessage } from './types.js'

/** Per-message overhead of the chat format (role and separators), as OpenAI documents it. */
const PER_MESSAGE = 3
const PER_REPLY = 3

export function estimateTextTokens(text: string): number {
  return text ? countTokens(text) : 0
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = PER_REPLY
  for (const m of messages) {
    total += PER_MESSAGE + estimateTextTokens(textOf(m.content))
    for (const call of m.tool_calls ?? []) total += estimateTextTokens(call.function.name + call.function.arguments)
  }
  return total
}
