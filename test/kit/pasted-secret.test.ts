import { describe, expect, it } from 'vitest'
import { decodeJwtPayload, parseCookieHeader, pickPastedValue } from '../../src/kit/pasted-secret.js'

describe('pickPastedValue', () => {
  const names = ['sessionid', 'token']
  it('finds the named value in every pasted form', () => {
    expect(pickPastedValue('abc123', names)).toBe('abc123')
    expect(pickPastedValue('sessionid=abc123', names)).toBe('abc123')
    expect(pickPastedValue('Cookie: x=1; sessionid=abc%3D%3D; y=2', names)).toBe('abc==')
    expect(pickPastedValue('{"token":"abc123"}', names)).toBe('abc123')
    expect(pickPastedValue('{"state":{"token":"abc123"}}', names)).toBe('abc123')
    expect(pickPastedValue('"\\"abc123\\""', names)).toBe('abc123')
    expect(pickPastedValue('Bearer abc123', names)).toBe('abc123')
  })

  it('prefers the earlier name when several are present', () => {
    expect(pickPastedValue('token=t; sessionid=s', names)).toBe('s')
  })

  it('returns the input when it names nothing known', () => {
    expect(pickPastedValue('other=1', names)).toBe('other=1')
  })
})

describe('parseCookieHeader / decodeJwtPayload', () => {
  it('keeps inner = signs and the first of duplicate names', () => {
    expect([...parseCookieHeader('a=b=c; a=2;  d = e ')]).toEqual([
      ['a', 'b=c'],
      ['d', 'e'],
    ])
  })

  it('reads a JWT payload and rejects garbage', () => {
    const jwt = `e30.${Buffer.from('{"sub":"u1"}').toString('base64url')}.sig`
    expect(decodeJwtPayload(jwt)).toEqual({ sub: 'u1' })
    expect(decodeJwtPayload('not-a-jwt')).toBeUndefined()
  })
})
