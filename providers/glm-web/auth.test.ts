import { describe, expect, it } from 'vitest'
import { checkSignature } from '../../test/fakes/glm-web.js'
import { normalizeSecret, signHeaders, signTimestamp } from './auth.js'

describe('X-Sign signing (spec worked example)', () => {
  it('replaces the second-to-last digit with the checksum', () => {
    expect(signTimestamp('1714000000123')).toBe('1714000000173')
  })

  it('signs timestamp, nonce and secret with md5', () => {
    const h = signHeaders(1714000000123, '0123456789abcdef0123456789abcdef')
    expect(h).toEqual({
      'X-Timestamp': '1714000000173',
      'X-Nonce': '0123456789abcdef0123456789abcdef',
      'X-Sign': 'b4b231f17fdac8d9f138a0eb22ae67d2',
    })
  })

  it('produces headers the fake upstream accepts, and the fake rejects tampering', () => {
    const now = Date.now()
    const good = signHeaders(now)
    const lower = Object.fromEntries(Object.entries(good).map(([k, v]) => [k.toLowerCase(), v]))
    expect(checkSignature(lower, undefined, now)).toBeUndefined()
    expect(checkSignature({ ...lower, 'x-sign': 'b4b231f17fdac8d9f138a0eb22ae67d2' }, undefined, now)).toMatch(/mismatch/)
    const ts = lower['x-timestamp']!
    const wrongCheck = ts.slice(0, 11) + String((Number(ts[11]) + 1) % 10) + ts[12]
    expect(checkSignature({ ...lower, 'x-timestamp': wrongCheck }, undefined, now)).toMatch(/checksum/)
    expect(checkSignature({ ...lower, 'x-nonce': 'not-hex' }, undefined, now)).toMatch(/Nonce/)
  })
})

describe('normalizeSecret', () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln'
  it('accepts every form a user pastes', () => {
    expect(normalizeSecret(token)).toBe(token)
    expect(normalizeSecret(`  ${token}\n`)).toBe(token)
    expect(normalizeSecret(`chatglm_refresh_token=${token}`)).toBe(token)
    expect(normalizeSecret(`Cookie: a=1; chatglm_refresh_token=${token}; chatglm_token=zzz`)).toBe(token)
    expect(normalizeSecret(JSON.stringify({ chatglm_refresh_token: token }))).toBe(token)
    expect(normalizeSecret(JSON.stringify(token))).toBe(token)
    expect(normalizeSecret(`Bearer ${token}`)).toBe(token)
  })
})
