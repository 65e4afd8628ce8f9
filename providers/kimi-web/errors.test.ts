import { describe, expect, it } from 'vitest'
import { connectHttpFailure, legacyFailure } from './errors.js'

describe('kimi-web failure classes', () => {
  it('a legacy 403 HTML page is a challenge or block page, not a rejected token', () => {
    expect(legacyFailure(403, '<html><body>Access denied</body></html>')).toMatchObject({ kind: 'protocol', upstreamStatus: 403 })
    expect(connectHttpFailure(403, 'text/html', '<html>Just a moment...</html>')).toMatchObject({ kind: 'protocol' })
  })

  it('a legacy 401, a JSON 403 or auth.token.invalid is a rejected token', () => {
    expect(legacyFailure(401, '<html>login</html>').kind).toBe('credential_invalid')
    expect(legacyFailure(403, '{"error_type":"auth.forbidden","message":"no"}').kind).toBe('credential_invalid')
    expect(legacyFailure(200, '{"error_type":"auth.token.invalid","message":"expired"}').kind).toBe('credential_invalid')
  })

  it('legacy 5xx answers are the upstream being unavailable', () => {
    expect(legacyFailure(503, '{"message":"busy"}').kind).toBe('unavailable')
    expect(legacyFailure(502, '<html>Bad Gateway</html>').kind).toBe('protocol')
  })
})
