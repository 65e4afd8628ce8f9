// The rotating token chain against the fake: renewal at auth_url, persistence before use, one
// refresh per chain across concurrent requests, the margin before exp, one retry after a 401, a
// chain spent elsewhere, the REST fallback and the probe's verdicts. Time moves on the fake's clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../src/kit/types.js'
import { type FakeKimi, startFakeKimi } from '../../test/fakes/kimi-web.js'
import { collectEvents, createAdapter, makeContext, textFrom } from '../../test/helpers/adapter-context.js'
import { claimsOf, normalizeSecret } from './credential.js'
import kimiWeb, { type KimiSettings } from './index.js'

let fake: FakeKimi
beforeEach(async () => {
  fake = await startFakeKimi()
})
afterEach(() => fake.close())

const request = (): ChatRequest => ({
  model: 'kimi',
  requestedModel: 'kimi',
  flags: new Set(),
  messages: [{ role: 'user', content: '1+1=' }],
  stream: true,
  extra: {},
})
const adapter = () => createAdapter(kimiWeb, fake.url, { auth_url: fake.url })
type Options = Parameters<typeof makeContext<KimiSettings>>[0]
const ctx = (secret: string, over: Partial<Options> = {}) =>
  makeContext<KimiSettings>({ secret, settings: { scenario: 'SCENARIO_K2D5', legacy_base_url: '', auth_url: fake.url }, ...over, baseUrl: fake.url })
const chatBearers = () => fake.requests.map((r) => String(r.headers.authorization).slice(7))
const refreshesOk = () => fake.auth.refreshes.filter((r) => r.status === 200)
const answer = async (a: ReturnType<typeof adapter>, c: ReturnType<typeof ctx>) => textFrom(await collectEvents(a.chat(request(), c)))
const failure = async (p: Promise<unknown>) => p.then(() => undefined, (e: Error & { kind: string }) => e)

describe('kimi-web token chain', () => {
  it('renews a refresh token at auth_url with the device headers from its claims, persists the rotated pair, then chats', async () => {
    const { refreshToken } = fake.auth.login({ sub: 'u-1', ssid: '111', device_id: '222' })
    const c = ctx(refreshToken)
    expect(await answer(adapter(), c)).toBe('答案是 42')
    expect(fake.auth.refreshes).toHaveLength(1)
    const sent = fake.auth.refreshes[0]!
    expect(sent).toMatchObject({ via: 'connect', token: refreshToken, body: { refresh_token: refreshToken }, status: 200 })
    expect(sent.headers).toMatchObject({
      'content-type': 'application/json',
      'connect-protocol-version': '1',
      'x-msh-platform': 'web',
      'x-msh-version': '2.0.0',
      'x-msh-device-id': '222',
      'x-msh-session-id': '111',
      'x-traffic-id': 'u-1',
    })
    expect(sent.headers.authorization).toBeUndefined() // the refresh token goes in the body only
    expect(c.state.refresh_token).not.toBe(refreshToken)
    expect(fake.auth.liveRefresh.has(c.state.refresh_token as string)).toBe(true)
    expect(chatBearers()).toEqual([c.state.access_token])
    expect(fake.auth.usedRefresh.has(refreshToken)).toBe(true)
  })

  it('keeps using the access token while it is more than a couple of minutes from exp', async () => {
    const a = adapter()
    const c = ctx(fake.auth.login().refreshToken)
    await answer(a, c)
    await answer(a, c)
    expect(fake.auth.refreshes).toHaveLength(1)
    expect(new Set(chatBearers()).size).toBe(1)
  })

  it('renews before use when the access token is within the margin of its exp', async () => {
    fake.auth.accessTtlS = 100 // every access token is born inside the two-minute margin
    const a = adapter()
    const c = ctx(fake.auth.login().refreshToken)
    for (let i = 0; i < 3; i++) await answer(a, c)
    expect(refreshesOk()).toHaveLength(3)
    expect(new Set(chatBearers()).size).toBe(3) // three chats, no 401 retries
    expect(fake.requests).toHaveLength(3)
  })

  it('saves the rotated refresh token before the new access token reaches the upstream', async () => {
    const { refreshToken } = fake.auth.login()
    const c = ctx(refreshToken)
    const seenAtSave: number[] = []
    c.saveState = (patch) => {
      if ('refresh_token' in patch) seenAtSave.push(fake.bearers.length)
      Object.assign(c.state, patch)
    }
    await answer(adapter(), c)
    expect(seenAtSave).toEqual([0])
    expect(fake.bearers).toEqual([c.state.access_token])
  })

  it('never uses an access token whose refresh token could not be saved', async () => {
    const c = ctx(fake.auth.login().refreshToken)
    c.saveState = () => {
      throw new Error('disk full')
    }
    expect(await failure(answer(adapter(), c))).toMatchObject({ message: 'disk full' })
    expect(refreshesOk()).toHaveLength(1)
    expect(fake.bearers).toEqual([])
  })

  it('concurrent requests on one chain share a single refresh', async () => {
    const a = adapter()
    const { refreshToken } = fake.auth.login()
    // Each request has its own credential view taken before any refresh, as leases do.
    const texts = await Promise.all(Array.from({ length: 6 }, () => answer(a, ctx(refreshToken))))
    expect(texts).toEqual(Array(6).fill('答案是 42'))
    expect(fake.auth.refreshes).toHaveLength(1)
    expect(new Set(chatBearers()).size).toBe(1)
  })

  it('a 401 refreshes once and retries the call once', async () => {
    const a = adapter()
    const c = ctx(fake.auth.login().refreshToken)
    await answer(a, c)
    const before = c.state.access_token
    fake.auth.advance(16 * 60) // the upstream's clock says expired; ours still sees 15 minutes left
    expect(await answer(a, c)).toBe('答案是 42')
    expect(refreshesOk()).toHaveLength(2)
    expect(chatBearers()).toEqual([before, before, c.state.access_token])
    expect(c.state.access_token).not.toBe(before)
  })

  it('a chain refreshed elsewhere (browser or desktop app) marks the credential invalid, saying so', async () => {
    const a = adapter()
    const c = ctx(fake.auth.login().refreshToken)
    await answer(a, c)
    // The browser refreshes with the same token the relay holds now.
    await fetch(`${fake.url}/api/account.gateway.v1.AuthService/RefreshToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: c.state.refresh_token }),
    })
    fake.auth.advance(16 * 60)
    const err = await failure(answer(a, c))
    expect(err).toMatchObject({ kind: 'credential_invalid', upstreamStatus: 401 })
    expect(err!.message).toMatch(/used elsewhere.*browser or the Kimi desktop app/)
    expect(fake.auth.refreshes.at(-1)).toMatchObject({ status: 401 })
    expect(fake.auth.refreshes.filter((r) => r.token === c.state.refresh_token)).toHaveLength(2) // one try, no loop
  })

  it('survives a restart: a new adapter takes the newest refresh token from the persisted state, not the pasted one', async () => {
    const { refreshToken } = fake.auth.login()
    const first = ctx(refreshToken)
    await answer(adapter(), first)
    fake.auth.advance(20 * 60)
    const restarted = ctx(refreshToken, { state: { ...first.state } })
    expect(await answer(adapter(), restarted)).toBe('答案是 42')
    expect(fake.auth.refreshes.map((r) => [r.token === refreshToken, r.status])).toEqual([
      [true, 200],
      [false, 200],
    ])
    expect(fake.auth.refreshes[1]!.token).toBe(first.state.refresh_token)
    // Starting over from the paste would fail: that token is spent.
    expect(await failure(answer(adapter(), ctx(refreshToken)))).toMatchObject({ kind: 'credential_invalid' })
  })

  it('a new secret starts a new chain instead of the state left by the old one', async () => {
    const c = ctx(fake.auth.login({ sub: 'first' }).refreshToken)
    await answer(adapter(), c)
    const other = fake.auth.login({ sub: 'second' }).refreshToken
    await answer(adapter(), ctx(other, { state: { ...c.state } }))
    expect(fake.auth.refreshes.at(-1)!.token).toBe(other)
  })

  it('a probe without stored state (before the credential is saved) leaves the rotated chain to the next request', async () => {
    const a = adapter()
    const { refreshToken } = fake.auth.login({ sub: 'pasted' })
    expect(await a.probe!(ctx(refreshToken, { credentialId: null }))).toEqual({ ok: true, account: 'pasted' })
    expect(await answer(a, ctx(refreshToken))).toBe('答案是 42')
    expect(fake.auth.refreshes.every((r) => r.status === 200)).toBe(true)
  })

  for (const style of ['snake', 'data'] as const) {
    it(`reads a ${style} refresh answer`, async () => {
      fake.auth.answerStyle = style
      const c = ctx(fake.auth.login().refreshToken)
      expect(await answer(adapter(), c)).toBe('答案是 42')
      expect(claimsOf(c.state.refresh_token as string)).toMatchObject({ typ: 'refresh' })
    })
  }

  it('falls back to the legacy REST refresh when auth_url has no RefreshToken procedure', async () => {
    fake.auth.connectRefresh = 'gone'
    const c = ctx(fake.auth.login().refreshToken)
    expect(await answer(adapter(), c)).toBe('答案是 42')
    expect(fake.auth.refreshes.map((r) => [r.via, r.status])).toEqual([
      ['connect', 404],
      ['rest', 200],
    ])
    expect(fake.auth.liveRefresh.has(c.state.refresh_token as string)).toBe(true)
  })

  it('says which setting to check when neither refresh endpoint exists', async () => {
    fake.auth.connectRefresh = 'gone'
    fake.auth.restRefresh = 'gone'
    const err = await failure(answer(adapter(), ctx(fake.auth.login().refreshToken)))
    expect(err).toMatchObject({ kind: 'protocol' })
    expect(err!.message).toMatch(/auth_url/)
  })

  it('uses a pasted access + refresh pair without refreshing until the access token is due', async () => {
    const pair = fake.auth.login()
    const secret = normalizeSecret(JSON.stringify({ access_token: pair.accessToken, refresh_token: pair.refreshToken }))
    const a = adapter()
    const c = ctx(secret)
    await answer(a, c)
    expect(fake.auth.refreshes).toHaveLength(0)
    expect(chatBearers()).toEqual([pair.accessToken])
    fake.auth.advance(16 * 60)
    await answer(a, c)
    expect(fake.auth.refreshes.map((r) => r.token)).toEqual([pair.refreshToken])
  })

  it('an access token alone works until it expires, then asks for the refresh token without trying to renew', async () => {
    const a = adapter()
    const c = ctx(fake.auth.login().accessToken)
    expect(await answer(a, c)).toBe('答案是 42')
    fake.auth.advance(16 * 60)
    const err = await failure(answer(a, c))
    expect(err).toMatchObject({ kind: 'credential_invalid' })
    expect(err!.message).toMatch(/15 minutes.*refresh_token/)
    expect(fake.auth.refreshes).toHaveLength(0)
  })
})

describe('kimi-web probe with a token chain', () => {
  it('a live chain is ok, a spent one is invalid, and a refresh endpoint that is down is no verdict', async () => {
    const a = adapter()
    const { refreshToken } = fake.auth.login({ sub: 'acct' })
    expect(await a.probe!(ctx(refreshToken))).toEqual({ ok: true, account: 'acct' })
    const dead = await adapter().probe!(ctx(refreshToken)) // a process that never saw the rotation
    expect(dead.ok).toBe(false)
    expect(dead.reason).toMatch(/used elsewhere/)
    fake.auth.connectRefresh = 'down'
    await expect(adapter().probe!(ctx(fake.auth.login().refreshToken))).rejects.toMatchObject({ kind: 'unavailable' })
  })
})
