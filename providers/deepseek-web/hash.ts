// DeepSeekHashV1: SHA3-256 whose Keccak-f skips round 0 (rounds 1..23 only), and the nonce search
// built on it. Pure CPU work: call it from the worker pool (pow-pool.ts), not the event loop.
import { WASM_LAYOUT, type WasmBlockHasher, createBlockHasher } from './keccak-wasm.js'
import { keccakRounds } from './keccak.js'

const RATE_BYTES = 136
const RATE_WORDS = RATE_BYTES / 4
const STATE_WORDS = 50
/** DeepSeek starts the permutation at round 1; round 0 gives standard SHA3. */
export const DEEPSEEK_FIRST_ROUND = 1
const SHA3_DOMAIN_PAD = 0x06
const FINAL_PAD = 0x80
const ASCII_ZERO = 48
const ASCII_NINE = 57

const utf8 = new TextEncoder()
/** One per thread, created on first use; solvePow is synchronous, so it is never shared. */
let hasher: WasmBlockHasher | undefined

function wordAt(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)
}

function absorbBlock(state: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let w = 0; w < RATE_WORDS; w++) state[w]! ^= wordAt(bytes, offset + 4 * w)
}

function digestHex(state: Int32Array): string {
  let hex = ''
  for (let w = 0; w < 8; w++) {
    const word = state[w]!
    for (let b = 0; b < 4; b++) hex += ((word >>> (8 * b)) & 0xff).toString(16).padStart(2, '0')
  }
  return hex
}

/** SHA3-256 sponge with a configurable first round (0 = standard SHA3-256, for reference checks). */
export function sha3With(input: string | Uint8Array, firstRound: number): string {
  const bytes = typeof input === 'string' ? utf8.encode(input) : input
  const padded = new Uint8Array((Math.floor(bytes.length / RATE_BYTES) + 1) * RATE_BYTES)
  padded.set(bytes)
  padded[bytes.length]! ^= SHA3_DOMAIN_PAD
  padded[padded.length - 1]! ^= FINAL_PAD
  const state = new Int32Array(STATE_WORDS)
  for (let offset = 0; offset < padded.length; offset += RATE_BYTES) {
    absorbBlock(state, padded, offset)
    keccakRounds(state, firstRound)
  }
  return digestHex(state)
}

/** DeepSeekHashV1 of a string (UTF-8) or bytes, as lowercase hex. */
export function deepseekHashV1(input: string | Uint8Array): string {
  return sha3With(input, DEEPSEEK_FIRST_ROUND)
}

/** The string DeepSeek hashes before the nonce: `salt_expireAt_`. */
export function powPrefix(salt: string, expireAt: number): string {
  return `${salt}_${Math.trunc(expireAt)}_`
}

/**
 * Find n in [0, difficulty) with DeepSeekHashV1(prefix + n) == challenge; null when none does.
 * Full prefix blocks are absorbed once; each nonce then costs one permutation (in WebAssembly),
 * with the decimal digits counted up in place inside the reused block: no per-nonce allocation.
 */
export function solvePow(challengeHex: string, prefix: string, difficulty: number): number | null {
  if (!/^[0-9a-f]{64}$/i.test(challengeHex)) throw new Error('PoW challenge is not 64 hex digits')
  const prefixBytes = utf8.encode(prefix)
  const fullBlocks = Math.floor(prefixBytes.length / RATE_BYTES)
  const tailLength = prefixBytes.length - fullBlocks * RATE_BYTES
  const maxDigits = String(Math.max(0, Math.ceil(difficulty) - 1)).length
  if (tailLength + maxDigits + 1 > RATE_BYTES) return solveSlowly(challengeHex.toLowerCase(), prefix, difficulty)

  const base = new Int32Array(STATE_WORDS)
  for (let b = 0; b < fullBlocks; b++) {
    absorbBlock(base, prefixBytes, b * RATE_BYTES)
    keccakRounds(base, DEEPSEEK_FIRST_ROUND)
  }
  hasher ??= createBlockHasher()
  const { bytes: memory, tryBlock } = hasher
  const view = new DataView(memory.buffer)
  for (let w = 0; w < STATE_WORDS; w++) view.setInt32(WASM_LAYOUT.base + 4 * w, base[w]!, true)
  memory.set(Buffer.from(challengeHex, 'hex'), WASM_LAYOUT.target)
  const block = memory.subarray(WASM_LAYOUT.block, WASM_LAYOUT.block + RATE_BYTES)
  block.fill(0)
  block.set(prefixBytes.subarray(fullBlocks * RATE_BYTES))
  let digitCount = 1
  block[tailLength] = ASCII_ZERO
  const layOutPadding = () => {
    block[tailLength + digitCount] = SHA3_DOMAIN_PAD
    block[RATE_BYTES - 1] = FINAL_PAD | (tailLength + digitCount === RATE_BYTES - 1 ? SHA3_DOMAIN_PAD : 0)
  }
  layOutPadding()

  for (let nonce = 0; nonce < difficulty; nonce++) {
    if (tryBlock() === 1) return nonce
    // Count the decimal digits up by one, carrying like an odometer.
    let i = tailLength + digitCount - 1
    while (i >= tailLength && block[i] === ASCII_NINE) block[i--] = ASCII_ZERO
    if (i >= tailLength) {
      block[i]!++
    } else if (tailLength + digitCount + 1 < RATE_BYTES) {
      block[tailLength] = ASCII_ZERO + 1
      block[tailLength + digitCount] = ASCII_ZERO
      digitCount++
      layOutPadding()
    }
  }
  return null
}

/** Prefixes that leave no room for the nonce in their last block (never seen upstream). */
function solveSlowly(challengeHex: string, prefix: string, difficulty: number): number | null {
  for (let nonce = 0; nonce < difficulty; nonce++) if (deepseekHashV1(prefix + nonce) === challengeHex) return nonce
  return null
}
