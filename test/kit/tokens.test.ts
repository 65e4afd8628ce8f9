import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  estimatePromptTokens,
  estimateTextTokens,
  TOKENIZER_EXACT_CHARS,
  TOKENIZER_RUN_CHARS,
} from '../../src/kit/tokens.js'

// The work is measured inside gpt-tokenizer itself (deterministic, unlike wall time): every text it
// counts passes through BytePairEncodingCore.countNative, and every piece it merges through
// bytePairMerge, whose cost is quadratic in the piece's length. The same module instance serves
// src/kit/tokens.ts (one require cache per process).
const requireCjs = createRequire(import.meta.url)
type Core = {
  prototype: { countNative: (text: string, ...rest: unknown[]) => number; bytePairMerge: (piece: Uint8Array) => number[] }
}
const core = (requireCjs('gpt-tokenizer/cjs/BytePairEncodingCore') as { BytePairEncodingCore: Core }).BytePairEncodingCore
const { countTokens } = requireCjs('gpt-tokenizer') as { countTokens: (t: string, o: object) => number }
/** The tokenizer's own count of the whole text, outside the work meter. */
function exact(text: string): number {
  metering = false
  try {
    return countTokens(text, { disallowedSpecial: new Set() })
  } finally {
    metering = true
  }
}

// Far above what the estimate may use, far below what the old code did (it handed the whole input
// to the tokenizer in one call): going past it throws, so a regression fails fast instead of hanging.
const CHAR_LIMIT = TOKENIZER_EXACT_CHARS * 2
const work = { calls: 0, chars: 0, longestPiece: 0 }
let metering = true
const original = { countNative: core.prototype.countNative, bytePairMerge: core.prototype.bytePairMerge }

beforeAll(() => {
  core.prototype.countNative = function (this: unknown, text: string, ...rest: unknown[]) {
    if (!metering) return original.countNative.call(this, text, ...rest)
    work.calls++
    work.chars += text.length
    if (work.chars > CHAR_LIMIT) throw new Error(`the tokenizer was handed ${work.chars} characters`)
    return original.countNative.call(this, text, ...rest)
  }
  core.prototype.bytePairMerge = function (this: unknown, piece: Uint8Array) {
    if (metering) work.longestPiece = Math.max(work.longestPiece, piece.length)
    return original.bytePairMerge.call(this, piece)
  }
})
afterAll(() => Object.assign(core.prototype, original))
afterEach(() => Object.assign(work, { calls: 0, chars: 0, longestPiece: 0 }))

/** Deterministic pseudo-random numbers (an LCG), so every run sees the same texts. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

function pick(alphabet: string, n: number, next: () => number): string {
  const out: string[] = new Array(n)
  for (let i = 0; i < n; i++) out[i] = alphabet[Math.floor(next() * alphabet.length)]!
  return out.join('')
}

const HANZI = '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明'
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'

function chinese(n: number, next: () => number): string {
  let out = ''
  while (out.length < n) out += pick(HANZI, 5 + Math.floor(next() * 30), next) + (next() < 0.7 ? '，' : '。')
  return out.slice(0, n)
}

function base64(n: number, next: () => number): string {
  const bytes = Buffer.alloc(Math.ceil((n * 3) / 4))
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256)
  return bytes.toString('base64').slice(0, n)
}

function repeatTo(text: string, n: number): string {
  return text.repeat(Math.ceil(n / text.length)).slice(0, n)
}

// Real prose and real code: the README and this repository's sources.
const root = new URL('../../', import.meta.url)
const english = readFileSync(new URL('README.md', root), 'utf8')
const sourceDir = new URL('src/core/', root)
const code = readdirSync(sourceDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(new URL(f, sourceDir), 'utf8'))
  .join('\n')

describe('token estimates stay bounded', () => {
  it('estimates a 5 MB text without whitespace on a bounded sample', () => {
    const next = random(1)
    for (const text of [pick(LETTERS, 5_000_000, next), 'a'.repeat(5_000_000), base64(5_000_000, next)]) {
      Object.assign(work, { calls: 0, chars: 0, longestPiece: 0 })
      expect(estimateTextTokens(text)).toBeGreaterThan(text.length / 10)
      // Window edges move by at most 32 characters each to reach a word boundary.
      expect(work.chars).toBeLessThanOrEqual(TOKENIZER_EXACT_CHARS + 64 * 64)
      expect(work.longestPiece).toBeLessThanOrEqual(TOKENIZER_RUN_CHARS)
    }
  })

  it('cuts a 160 KB run of letters into short pieces and samples it', () => {
    const text = pick(LETTERS, 160_000, random(2))
    const estimate = estimateTextTokens(text)
    expect(work.chars).toBeLessThanOrEqual(TOKENIZER_EXACT_CHARS + 64 * 64)
    expect(work.longestPiece).toBeLessThanOrEqual(TOKENIZER_RUN_CHARS)
    // A run of random letters costs about one token per two letters.
    expect(estimate / text.length).toBeGreaterThan(0.45)
    expect(estimate / text.length).toBeLessThan(0.6)
  })

  it('cuts long runs of punctuation and of whitespace too', () => {
    for (const text of ['='.repeat(10_000), ' '.repeat(10_000), `x${'\n'.repeat(10_000)}y`, '中'.repeat(10_000)]) {
      Object.assign(work, { calls: 0, chars: 0, longestPiece: 0 })
      estimateTextTokens(text)
      expect(work.longestPiece).toBeLessThanOrEqual(TOKENIZER_RUN_CHARS * 3)
    }
  })

  it('bounds a whole prompt, however many messages it has', () => {
    const next = random(3)
    const messages = Array.from({ length: 300 }, () => ({ role: 'user' as const, content: pick(LETTERS, 10_000, next) }))
    const estimate = estimatePromptTokens(messages)
    expect(work.chars).toBeLessThanOrEqual(TOKENIZER_EXACT_CHARS + 64 * 64)
    expect(estimate).toBeGreaterThan(300 * 10_000 * 0.45)
  })
})

describe('token estimates stay close to the exact count', () => {
  const next = random(4)
  const samples: Record<string, string> = {
    English: repeatTo(english, 200_000),
    code: repeatTo(code, 200_000),
    CJK: chinese(200_000, next),
    base64: base64(1_000_000, next),
    'English, base64 and CJK mixed': english.slice(0, 30_000) + base64(100_000, next) + chinese(40_000, next) + code.slice(0, 30_000),
  }

  it.each(Object.keys(samples))('samples long %s within 2 percent', (name) => {
    const text = samples[name]!
    const truth = exact(text)
    expect(Math.abs(estimateTextTokens(text) - truth) / truth).toBeLessThan(0.02)
  })

  it.each(Object.keys(samples))('counts %s up to the exact limit exactly', (name) => {
    const text = samples[name]!.slice(0, TOKENIZER_EXACT_CHARS)
    expect(estimateTextTokens(text)).toBe(exact(text))
  })

  it('counts a long run within 2 percent of the tokenizer', () => {
    const text = pick(LETTERS, 3000, random(5))
    const truth = exact(text)
    expect(Math.abs(estimateTextTokens(text) - truth) / truth).toBeLessThan(0.02)
  })

  it('counts the chat format overhead per message', () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Hello there' },
    ]
    expect(estimatePromptTokens(messages)).toBe(3 + 3 * 2 + exact('Be brief.') + exact('Hello there'))
  })

  it("counts the tokenizer's special-token text as plain text instead of throwing", () => {
    const text = 'the end <|endoftext|> of <|im_start|>'
    expect(estimateTextTokens(text)).toBe(exact(text))
    expect(estimateTextTokens(text)).toBeGreaterThan(5)
  })
})
