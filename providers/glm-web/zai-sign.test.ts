import { describe, expect, it } from 'vitest'
import { signedData, windowKey, zaiSignature } from './zai-sign.js'

// The notes' vector 1 (web-updates-2026.md §9).
const vector = { requestId: '00000000-0000-4000-8000-000000000000', timestamp: 1714000000123, userId: 'u1', prompt: 'hi' }

describe('chat.z.ai X-Signature (notes vector 1)', () => {
  it('derives the window key from the five-minute bucket 5713333', () => {
    expect(windowKey(vector.timestamp)).toBe('868223f7cdca77ada7897253df7a959e909b7d04edda407ce1061e67a15f87e3')
    expect(windowKey(5713333 * 300_000)).toBe(windowKey(vector.timestamp))
    expect(windowKey(5713334 * 300_000)).not.toBe(windowKey(vector.timestamp))
  })

  it('signs the sorted identity, the base64 prompt and the time', () => {
    expect(signedData(vector)).toBe('requestId,00000000-0000-4000-8000-000000000000,timestamp,1714000000123,user_id,u1|aGk=|1714000000123')
    expect(zaiSignature(vector)).toBe('f286b392d20b1b155ac04d888306088a299f38798972fa104931458f33320cdb')
  })

  it('trims the prompt and encodes it as UTF-8', () => {
    expect(zaiSignature({ ...vector, prompt: '  hi\n' })).toBe(zaiSignature(vector))
    expect(signedData({ ...vector, prompt: '你好' })).toContain('|5L2g5aW9|')
  })
})
