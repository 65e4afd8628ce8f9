import { describe, expect, it } from 'vitest'
import { anthropicError, errorObjectOf } from './errors.js'

const classify = (status: number | undefined, type: string, message = 'm', details?: Record<string, unknown>) =>
  anthropicError({ provider: 'anthropic-api', ...(status ? { status } : {}), error: { type, message, ...(details ? { details } : {}) } })

describe('anthropic-api error classes', () => {
  it('maps each Anthropic error type to the failure class the pool acts on', () => {
    const table: [number, string, string][] = [
      [401, 'authentication_error', 'credential_invalid'],
      [403, 'permission_error', 'credential_invalid'],
      [402, 'billing_error', 'quota_exhausted'],
      [429, 'rate_limit_error', 'rate_limited'],
      [529, 'overloaded_error', 'unavailable'],
      [500, 'api_error', 'unavailable'],
      [504, 'timeout_error', 'timeout'],
      [400, 'invalid_request_error', 'invalid_request'],
      [404, 'not_found_error', 'invalid_request'],
      [413, 'request_too_large', 'invalid_request'],
    ]
    for (const [status, type, kind] of table) {
      const err = classify(status, type)
      expect([type, err.kind, err.upstreamStatus]).toEqual([type, kind, status])
      expect(err.message).toBe(`anthropic-api: m (${type})`)
    }
  })

  it('out of credit (a 400) and an enforced spend limit (a 429) are quota, not client errors or rate limits', () => {
    expect(classify(400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API.').kind).toBe('quota_exhausted')
    expect(classify(429, 'rate_limit_error', 'limit', { error_code: 'enforced_spend_limit_reached' }).kind).toBe('quota_exhausted')
  })

  it('keeps retry-after, falls back to the status for unknown types, and to unavailable without either', () => {
    expect(anthropicError({ provider: 'p', status: 429, error: { type: 'rate_limit_error', message: 'x' }, retryAfterMs: 7000 }).retryAfterMs).toBe(7000)
    expect(classify(401, 'brand_new_error').kind).toBe('credential_invalid')
    expect(classify(undefined, 'brand_new_error').kind).toBe('unavailable')
  })

  it('masks secrets that an upstream echoes back in its message', () => {
    const err = classify(401, 'authentication_error', 'invalid x-api-key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789')
    expect(err.message).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789')
  })

  it('reads the error object from a JSON body, or stands in for a text or HTML body', () => {
    expect(errorObjectOf('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')).toEqual({ type: 'overloaded_error', message: 'Overloaded' })
    expect(errorObjectOf('{"error":"bad gateway"}')).toEqual({ message: 'bad gateway' })
    expect(errorObjectOf('<html>502</html>')).toEqual({ message: 'HTML page instead of an API response' })
    expect(errorObjectOf('upstream connect error')).toEqual({ message: 'upstream connect error' })
  })
})
