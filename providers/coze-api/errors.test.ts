import { describe, expect, it } from 'vitest'
import type { FailureKind } from '../../src/kit/errors.js'
import { cozeCodeOf, errorForCode, isRefusalCode } from './errors.js'

// Codes of the Coze error-code page and the failure class each must produce.
const table: Array<[number, FailureKind]> = [
  [4000, 'invalid_request'],
  [4001, 'invalid_request'],
  [4002, 'invalid_request'],
  [4004, 'invalid_request'],
  [4005, 'invalid_request'],
  [4006, 'invalid_request'],
  [4007, 'invalid_request'],
  [4008, 'quota_exhausted'],
  [4009, 'unavailable'],
  [4010, 'invalid_request'],
  [4011, 'quota_exhausted'],
  [4012, 'not_supported'],
  [4013, 'unavailable'],
  [4015, 'invalid_request'],
  [4016, 'rate_limited'],
  [4019, 'quota_exhausted'],
  [4020, 'rate_limited'],
  [4022, 'quota_exhausted'],
  [4100, 'credential_invalid'],
  [4101, 'credential_invalid'],
  [4102, 'rate_limited'],
  [4200, 'invalid_request'],
  [5000, 'unavailable'],
  [700012006, 'credential_invalid'],
]

describe('coze-api error codes', () => {
  for (const [code, kind] of table)
    it(`code ${code} → ${kind}`, () => {
      const err = errorForCode({ code, msg: 'm', logid: 'L1' })
      expect(err.kind).toBe(kind)
      expect(err.provider).toBe('coze-api')
      expect(err.message).toContain(`code ${code}`)
      expect(err.message).toContain('logid L1')
      expect(cozeCodeOf(err)).toBe(code)
    })

  it('4014 (question cannot be answered) is a refusal, not an error', () => {
    expect(isRefusalCode(4014)).toBe(true)
    expect(isRefusalCode(4013)).toBe(false)
  })

  it('unknown codes fall back to the HTTP status, then to unavailable', () => {
    expect(errorForCode({ code: 4999, msg: 'x', httpStatus: 429 }).kind).toBe('rate_limited')
    expect(errorForCode({ code: 4999, msg: 'x', httpStatus: 200 }).kind).toBe('unavailable')
  })

  it('masks tokens echoed in upstream messages', () => {
    const err = errorForCode({ code: 4100, msg: 'bad token: Bearer pat_abcdefghijklmnopqrstuvwxyz' })
    expect(err.message).not.toContain('pat_abcdefghijklmnopqrstuvwxyz')
  })
})
