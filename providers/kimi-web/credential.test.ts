import { describe, expect, it } from 'vitest'
import { KimiAuth, makeKimiJwt } from '../../test/fakes/kimi-web-auth.js'
import { assertNotExpired, claimsOf, credentialFlow, normalizeSecret, parseKimiSecret, tokenKind } from './credential.js'

const pair = new KimiAuth().login({ sub: 'u-9', ssid: '1', device_id: '2' })

describe('normalizeSecret', () => {
  const jwt = makeKimiJwt()

  it('accepts every form a kimi-auth cookie is pasted in', () => {
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

  it('keeps the refresh token alone, under any localStorage name, quoted or not', () => {
    const r = pair.refreshToken
    for (const raw of [r, JSON.stringify(r), `refresh_token=${r}`, JSON.stringify({ refresh_token: r }), JSON.stringify({ refreshToken: JSON.stringify(r) })])
      expect(normalizeSecret(raw)).toBe(r)
  })

  it('keeps an access token alone', () => {
    expect(normalizeSecret(JSON.stringify({ access_token: pair.accessToken }))).toBe(pair.accessToken)
  })

  it('stores the pasted localStorage JSON with both as {access_token, refresh_token}, recognising each by its claims', () => {
    const canonical = JSON.stringify({ access_token: pair.accessToken, refresh_token: pair.refreshToken })
    expect(normalizeSecret(JSON.stringify({ refresh_token: pair.refreshToken, access_token: pair.accessToken, theme: 'dark' }))).toBe(canonical)
    expect(normalizeSecret(JSON.stringify({ accessToken: pair.accessToken, refreshToken: pair.refreshToken }))).toBe(canonical)
    // Swapped names: the claims decide, not the key.
    expect(normalizeSecret(JSON.stringify({ access_token: pair.refreshToken, refresh_token: pair.accessToken }))).toBe(canonical)
    expect(parseKimiSecret(canonical)).toEqual({ access: pair.accessToken, refresh: pair.refreshToken })
  })

  it('accepts an opaque legacy refresh token as a cookie, a JSON value or KFA’s array form', () => {
    const refresh = 'cn-opaque-refresh.token.value'
    expect(normalizeSecret(`refresh_token=${refresh}; other=1`)).toBe(refresh)
    expect(normalizeSecret(JSON.stringify({ refresh_token: refresh }))).toBe(refresh)
    expect(normalizeSecret(JSON.stringify(refresh.split('.')))).toBe(refresh)
  })
})

describe('tokenKind and flow', () => {
  it('tells the four kinds apart by their claims', () => {
    expect(tokenKind(pair.refreshToken)).toBe('refresh')
    expect(tokenKind(pair.accessToken)).toBe('access')
    expect(tokenKind(makeKimiJwt())).toBe('kimi-auth')
    expect(tokenKind(makeKimiJwt({ iss: 'other-issuer' }))).toBe('access')
    expect(tokenKind(makeKimiJwt({ typ: 'refresh' }))).toBe('legacy') // a kimi.moonshot.cn-era refresh JWT
    expect(tokenKind(makeKimiJwt({ app_id: 'other' }))).toBe('legacy')
    expect(tokenKind('plain-opaque-refresh-token')).toBe('legacy')
  })

  it('sends every JWT of the current site through Connect and only opaque tokens through the legacy REST flow', () => {
    expect(credentialFlow(pair.refreshToken)).toBe('connect')
    expect(credentialFlow(pair.accessToken)).toBe('connect')
    expect(credentialFlow(makeKimiJwt())).toBe('connect')
    expect(credentialFlow('plain-opaque-refresh-token')).toBe('legacy')
  })

  it('reads the claims the web client turns into headers (the refresh token carries device_id, the access token does not)', () => {
    expect(claimsOf(pair.refreshToken)).toMatchObject({ sub: 'u-9', ssid: '1', device_id: '2', typ: 'refresh' })
    expect(claimsOf(pair.accessToken)).not.toHaveProperty('device_id')
  })

  it('rejects an expired access token as an invalid credential that asks for the refresh token', () => {
    const claims = claimsOf(makeKimiJwt({ exp: Math.floor(Date.now() / 1000) - 10 }))
    expect(() => assertNotExpired(claims)).toThrow(expect.objectContaining({ kind: 'credential_invalid', message: expect.stringMatching(/refresh_token/) }))
    expect(() => assertNotExpired(claimsOf(makeKimiJwt()))).not.toThrow()
  })
})
