import jsSha3 from 'js-sha3'
import { describe, expect, it } from 'vitest'
import { deepseekHashV1, powPrefix, sha3With, solvePow } from './hash.js'

// Spec §6: each checked against DeepSeek's WASM `wasm_deepseek_hash_v1`.
const VECTORS: [string, string][] = [
  ['', 'e594808bc5b7151ac160c6d39a02e0a8e261ed588578403099e3561dc40c26b3'],
  ['abc', 'f841106c601ce9be9bc38525e90d4178d47f21dd8eb9f238fc55ffaa4ca94506'],
  ['testsalt_1700000000_42', 'd4a2ea58c89e40887c933484868380c6f803eaa8dc53a3b9df8e431b921a4f09'],
  ['testsalt_1700000000_100000', 'abea2f35796b65486e9be1b36f7878c66cab021e96faa473fdf4decd31f9ba30'],
  ['abc123salt_1700000000_12345', '74b3b7452745b70e85eb32ee7f0a9ec0381d42dd5137b695da915e104fc390e1'],
  ['salt_1712345678_777', '1213599ef296ed8369cb8a39fbd921c4f73d0d9ad9042f585c9f9f132af9eeb7'],
  ['salt_1712345678_0', 'c999846bbcebe45ee15da8e774a1bacde794c5cf17e1d5ead76648ffa30fc073'],
  ['a'.repeat(135), '1e3eb415bb0b3ecec08a6f71cf7c8d0591b5594752ba52802a2e60357834f998'],
  ['a'.repeat(136), '680364b336f77918ed390287a581f96f1371599825acd1e348fa7649fcecbbab'],
]

describe('DeepSeekHashV1', () => {
  it.each(VECTORS)('hashes %j as the official WASM does', (input, expected) => {
    expect(deepseekHashV1(input)).toBe(expected)
    expect(deepseekHashV1(new TextEncoder().encode(input))).toBe(expected)
  })

  it('is not standard SHA3-256 (which starts at round 0)', () => {
    expect(sha3With('abc', 0)).toMatch(/^3a985da7.*11431532$/)
    expect(deepseekHashV1('abc')).not.toBe(sha3With('abc', 0))
  })

  it('runs the same permutation as js-sha3 when started at round 0, across block boundaries', () => {
    for (const length of [0, 1, 31, 64, 135, 136, 137, 200, 271, 272, 273, 500]) {
      const input = Array.from({ length }, (_, i) => String.fromCharCode(33 + ((i * 7) % 90))).join('')
      expect(sha3With(input, 0)).toBe(jsSha3.sha3_256(input))
    }
    expect(sha3With('多字节 UTF-8 输入', 0)).toBe(jsSha3.sha3_256('多字节 UTF-8 输入'))
  })
})

describe('PoW solver', () => {
  it('finds the answers behind the spec vectors', () => {
    expect(solvePow(VECTORS[2]![1], 'testsalt_1700000000_', 144_000)).toBe(42)
    expect(solvePow(VECTORS[3]![1], 'testsalt_1700000000_', 144_000)).toBe(100_000)
    expect(solvePow(VECTORS[4]![1], 'abc123salt_1700000000_', 144_000)).toBe(12_345)
    expect(solvePow(VECTORS[5]![1], powPrefix('salt', 1712345678), 2000)).toBe(777)
    expect(solvePow(VECTORS[6]![1], powPrefix('salt', 1712345678), 2000)).toBe(0)
  })

  it('searches the half-open range [0, difficulty)', () => {
    const challenge = deepseekHashV1('salt_1712345678_99')
    expect(solvePow(challenge, 'salt_1712345678_', 100)).toBe(99)
    expect(solvePow(challenge, 'salt_1712345678_', 99)).toBeNull()
  })

  it('decodes the challenge as hex, so upper case matches too', () => {
    expect(solvePow(VECTORS[5]![1].toUpperCase(), 'salt_1712345678_', 2000)).toBe(777)
    expect(() => solvePow('not-hex', 'salt_1712345678_', 10)).toThrow(/hex/)
  })

  it('counts nonces correctly across every change in digit count', () => {
    for (const answer of [9, 10, 99, 100, 999, 1000, 9999, 10_000]) {
      expect(solvePow(deepseekHashV1(`s_1_${answer}`), 's_1_', 20_000)).toBe(answer)
    }
  })

  it('agrees with the reference hash for prefixes around and beyond the 136-byte block', () => {
    for (const length of [1, 60, 129, 130, 131, 135, 136, 137, 271, 300]) {
      const prefix = `${'p'.repeat(length)}_`
      const answer = (length * 37) % 5000
      expect(solvePow(deepseekHashV1(prefix + answer), prefix, 5000)).toBe(answer)
    }
  })

  it('writes the prefix with the expiry as an integer', () => {
    expect(powPrefix('3bde54628ea8413fee87', 1775380966945)).toBe('3bde54628ea8413fee87_1775380966945_')
    expect(powPrefix('s', 1775380966945.0)).toBe('s_1775380966945_')
  })
})
