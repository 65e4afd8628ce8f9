// MiniMax token renewal against the fake: renewed when the JWT nears its exp, saved before use,
// once for concurrent requests, kept across a restart, and a failed renewal that costs nothing
// while the token still works. Time moves on the fake's clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../src/kit/types.js'
import { makeContext as baseContext, collectEvents, createAdapter, textFrom } from '../../test/helpers/adapter-context.js'
import { FakeMinimaxAgent } from '../../test/fakes/minimax-web.js'
import type { MinimaxSettings } from './constants.js'
import minimaxWeb from './index.js'
import { expiryOf } from './renewal.js'

const DAY = 86_400
let fake: FakeMinimaxAgent
beforeEach(async () => {
  fake = await new FakeMinimaxAgent().start()
})
afterEach(() => fake.close())

type Opts = Parameters<typeof baseContext<MinimaxSettings>>[0]
const ctx = (secret: string, o: Partial<Opts> = {}) =>
  baseContext<MinimaxSettings>({
    secret,
    ...o,
    baseUrl: fake.url,
    settings: { ...minimaxWeb.settings!.parse({}), poll_interval_ms: 5, ...o.settings },
  })
const request = (): ChatRequest => ({
  model: 'minimax',
  requestedModel: 'minimax',
  flags: new Set(),
  messages: [{ role: 'user', content: '你好' }],
  stream: true,
  extra: {},
})
const adapter = () => createAdapter(minimaxWeb, fake.url)
const answer = async (a: ReturnType<typeof adapter>, c: ReturnType<typeof ctx>) => textFrom(await collectEvents(a.chat(request(), c)))

describe('minimax-web token renewal', () => {
  it('renews a token that expires within renew_before_s, saves it, and uses only the new one afterwards', async () => {
    const old = fake.issueToken('42', 2 * DAY)
    const c = ctx(old)
    expect(await answer(adapter(), c)).toBe('收到：你好')
    expect(fake.renewals).toHaveLength(1)
    const renewed = fake.renewals[0]!
    expect(renewed.token).toBe(old)
    expect(c.state.token).toBe(renewed.issued)
    expect(expiryOf(renewed.issued)! - Date.now()).toBeGreaterThan(39 * DAY * 1000)
    expect(fake.tokensSeen.slice(1).every((t) => t === renewed.issued)).toBe(true) // only the renewal itself used the old token
  })

  it('leaves a token with more than renew_before_s to go alone', async () => {
    const c = ctx(fake.issueToken('42', 30 * DAY))
    await answer(adapter(), c)
    expect(fake.renewals).toHaveLength(0)
    expect(c.state.token).toBeUndefined()
  })

  it('saves the renewed token before it is sent anywhere', async () => {
    const c = ctx(fake.issueToken('42', DAY))
    const seen: boolean[] = []
    c.saveState = (patch) => {
      if ('token' in patch) seen.push(fake.tokensSeen.includes(patch.token as string))
      Object.assign(c.state, patch)
    }
    await answer(adapter(), c)
    expect(seen).toEqual([false])
    expect(fake.tokensSeen.at(-1)).toBe(c.state.token)
  })

  it('concurrent requests share one renewal', async () => {
    const a = adapter()
    const old = fake.issueToken('42', DAY)
    await Promise.all(Array.from({ length: 5 }, (_, i) => answer(a, ctx(old, { credentialId: 7 + i }))))
    expect(fake.renewals).toHaveLength(1)
  })

  it('survives a restart: a new adapter takes the renewed token from the state after the pasted one expired', async () => {
    const old = fake.issueToken('42', DAY)
    const first = ctx(old)
    await answer(adapter(), first)
    fake.advance(2 * DAY)
    const restarted = ctx(old, { state: { ...first.state } })
    expect(await answer(adapter(), restarted)).toBe('收到：你好')
    expect(fake.renewals).toHaveLength(1)
    expect(fake.tokensSeen.at(-1)).toBe(first.state.token)
    // The paste alone would no longer do.
    await expect(answer(adapter(), ctx(old))).rejects.toMatchObject({ kind: 'credential_invalid' })
  })

  it('a state left by another secret is ignored', async () => {
    const c = ctx(fake.issueToken('42', DAY))
    await answer(adapter(), c)
    const other = fake.issueToken('43', 30 * DAY)
    await answer(adapter(), ctx(other, { state: { ...c.state } }))
    expect(fake.tokensSeen.at(-1)).toBe(other)
  })

  it('keeps using a still-valid token when the renewal fails for a reason other than the token', async () => {
    fake.renewalDown = true
    const a = adapter()
    const old = fake.issueToken('42', DAY)
    const c = ctx(old)
    expect(await answer(a, c)).toBe('收到：你好')
    expect(c.state.token).toBeUndefined()
    fake.renewalDown = false
    await answer(a, c)
    expect(c.state.token).toBe(fake.renewals[0]!.issued) // tried again on the next request
  })

  it('a refused renewal marks the credential invalid', async () => {
    fake.revokedUsers.add('44')
    const err = await answer(adapter(), ctx(fake.issueToken('44', DAY))).catch((e: Error & { kind: string }) => e)
    expect(err).toMatchObject({ kind: 'credential_invalid', message: expect.stringContaining('1000021') })
  })
})
