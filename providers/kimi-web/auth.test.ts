import { describe, expect, it } from 'vitest'
import { makeKimiJwt } from '../../test/fakes/kimi-web.js'
import { assertNotExpired, claimsOf, normalizeSecret, tokenKind } from './auth.js'

describe('normalizeSecret', () => {
  const jwt = makeKimiJwt()

  it('accepts every form users paste', () => {
    const forms = [
      jwt,
      `  ${jwt}\n`,
      `Bearer ${jwt}`,
      `kimi-auth=${jwt}`,
      `Cookie: _ga=GA1.1; kimi-auth=${jwt}; theme=dark`,
      JSON.stringify({ value: jwt }),
      JSON.stringify(jwt),
      JSON.stringify({ 'kimi-auth': jwt }),
    ]
    for (const raw of forms) expect(normalizeSecret(raw)).toBe(jwt)
  })

  it('accepts a legacy refresh token as a cookie, a JSON value or KFA’s array form', () => {
    const refresh = 'eyJhbGciOiJIUzUxMiJ9.eyJ0eXAiOiJyZWZyZXNoIn0.c2ln'
    expect(normalizeSecret(`refresh_token=${refresh}; other=1`)).toBe(refresh)
    expect(normalizeSecret(JSON.stringify({ refresh_token: refresh }))).toBe(refresh)
    expect(normalizeSecret(JSON.stringify(refresh.split('.')))).toBe(refresh)
  })
})

describe('tokenKind', () => {
  it('is access for a kimi access JWT and refresh otherwise', () => {
    expect(tokenKind(makeKimiJwt())).toBe('access')
    expect(tokenKind(makeKimiJwt({ typ: 'refresh' }))).toBe('refresh')
    expect(tokenKind(makeKimiJwt({ app_id: 'other' }))).toBe('refresh')
    expect(tokenKind('plain-opaque-refresh-token')).toBe('refresh')
  })

  it('reads the claims the web client turns into headers', () => {
    expect(claimsOf(makeKimiJwt({ sub: 'u-42', ssid: 's-1', device_id: 'd-1' }))).toMatchObject({ sub: 'u-42', ssid: 's-1', device_id: 'd-1' })
  })

  it('rejects an expired access token as an invalid credential', () => {
    const claims = claimsOf(makeKimiJwt({ exp: Math.floor(Date.now() / 1000) - 10 }))
    expect(() => assertNotExpired(claims)).toThrow(expect.objectContaining({ kind: 'credential_invalid' }))
    expect(() => assertNotExpired(claimsOf(makeKimiJwt()))).not.toThrow()
  })
})
