// Token estimates for upstreams that report no usage, and for billing reservations. gpt-tokenizer
// ships its encodings in the package, so nothing is downloaded at run time. Its tables take ~58 MB,
// so they load on the first estimate, not at start (official APIs report usage and may never need them).
//
// Estimates run on the event loop, so their work is bounded whatever the input:
// - BPE merges each pre-token piece in time quadratic in its length, and a piece spans a whole run of
//   letters, of punctuation or of whitespace (a 5 MB run without spaces froze the process for
//   minutes). Runs longer than TOKENIZER_RUN_CHARS go to the tokenizer in pieces of that size; a cut
//   changes the count by about one token, and words, code identifiers and CJK clauses stay whole.
// - Even linear, the tokenizer costs up to ~15 us per character on text that is not in its
//   vocabulary (random letters, rare scripts). So inputs up to TOKENIZER_EXACT_CHARS are counted in
//   full (exact for text without such runs) and longer ones on SAMPLE_WINDOWS windows spread evenly
//   over the text, scaled by length: a stratified sample, so a prompt that mixes prose with a pasted
//   base64 blob is sampled in both in proportion. Windows start and end at word edges, so the cuts
//   barely change the count. Measured against the exact count (test/kit/tokens.test.ts): within 2 % on
//   English, code, CJK and base64 of 40 KB to 1 MB.
import { createRequire } from 'node:module'
import { textOf } from './messages.js'
import type { ChatMessage } from './types.js'

/** Per-message overhead of the chat format (role and separators), as OpenAI documents it. */
const PER_MESSAGE = 3
const PER_REPLY = 3

/** Longest run of one character class handed to the tokenizer in one piece. */
export const TOKENIZER_RUN_CHARS = 64
const SAMPLE_WINDOWS = 256
const WINDOW_CHARS = 128
/** How far a window's edge moves to reach a word boundary. */
const ALIGN_CHARS = 32
/** Inputs up to this length are counted in full; longer ones on samples of this total size. */
export const TOKENIZER_EXACT_CHARS = SAMPLE_WINDOWS * WINDOW_CHARS

// The runs that become single pieces in the tokenizer's pre-split (o200k): letters with their
// marks, punctuation and symbols, whitespace. Digits split into groups of three on their own.
const LONG_RUN = new RegExp(`[\\p{L}\\p{M}]{${TOKENIZER_RUN_CHARS},}|[^\\s\\p{L}\\p{N}]{${TOKENIZER_RUN_CHARS},}|\\s{${TOKENIZER_RUN_CHARS},}`, 'gu')

type CountTokens = (text: string, options: { disallowedSpecial: ReadonlySet<string> }) => number
let countTokens: CountTokens | undefined
// A prompt may contain text such as "<|endoftext|>"; it is counted as the plain text it is (by
// default the tokenizer throws on it).
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() }

function count(text: string): number {
  if (!text) return 0
  countTokens ??= (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: CountTokens }).countTokens
  return countTokens(text, PLAIN_TEXT)
}

/** `at`, moved past the second half of a surrogate pair so no cut splits a character. */
function boundary(text: string, at: number): number {
  const unit = text.charCodeAt(at)
  return unit >= 0xdc00 && unit <= 0xdfff ? at + 1 : at
}

/** Tokens of `text`, with runs longer than TOKENIZER_RUN_CHARS counted in TOKENIZER_RUN_CHARS pieces. */
function countBounded(text: string): number {
  let total = 0
  let from = 0
  for (const run of text.matchAll(LONG_RUN)) {
    total += count(text.slice(from, run.index))
    const end = run.index + run[0].length
    for (let at = run.index; at < end; ) {
      const next = Math.min(end, boundary(text, at + TOKENIZER_RUN_CHARS))
      total += count(text.slice(at, next))
      at = next
    }
    from = end
  }
  return total + count(text.slice(from))
}

/** The first whitespace at or after `at` (nearby), so a window neither starts nor ends inside a word. */
function wordEdge(text: string, at: number): number {
  const end = Math.min(text.length, at + ALIGN_CHARS)
  for (let i = at; i < end; i++) {
    const unit = text.charCodeAt(i)
    if (unit === 32 || unit === 10 || unit === 9 || unit === 13) return i
  }
  return boundary(text, at)
}

/** Tokens of a text longer than TOKENIZER_EXACT_CHARS, scaled up from evenly spread windows. */
function countSampled(text: string): number {
  const stride = text.length / SAMPLE_WINDOWS
  let tokens = 0
  let chars = 0
  for (let i = 0; i < SAMPLE_WINDOWS; i++) {
    const start = wordEdge(text, Math.floor(i * stride + (stride - WINDOW_CHARS) / 2))
    const end = wordEdge(text, start + WINDOW_CHARS)
    tokens += countBounded(text.slice(start, end))
    chars += end - start
  }
  return Math.round((tokens * text.length) / chars)
}

/** Tokens of several texts counted as one input (so the bound holds for the whole prompt). */
function estimateTexts(texts: readonly string[]): number {
  let length = 0
  for (const text of texts) length += text.length
  if (length > TOKENIZER_EXACT_CHARS) return countSampled(texts.join('\n'))
  let total = 0
  for (const text of texts) total += countBounded(text)
  return total
}

export function estimateTextTokens(text: string): number {
  return text ? estimateTexts([text]) : 0
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  const texts: string[] = []
  for (const m of messages) {
    texts.push(textOf(m.content))
    for (const call of m.tool_calls ?? []) texts.push(call.function.name + call.function.arguments)
  }
  return PER_REPLY + PER_MESSAGE * messages.length + estimateTexts(texts)
}
