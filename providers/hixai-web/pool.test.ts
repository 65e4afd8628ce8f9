// The cookie-pool side: credentials rejected or challenged, credit and subscription, probe, canServe, clean-up.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CredentialView, ModelSpec } from '../../src/kit/types.js'
import { type FakeHix, startFakeHix } from '../../test/fakes/hixai-web.js'
import { collectEvents, failure, harness, request, user } from '../../test/fakes/hixai-web-harness.js'
import { MODEL_SPECS } from './constants.js'
import { canServe } from './index.js'

let fake: FakeHix
beforeEach(async () => {
  fake = await startFakeHix([
    { credit: 100, email: 'rich@example.com' },
    { credit: 3, advancedCredit: 100, subscribed: true },
    { credit: 0, advancedCredit: 10, subscribed: true },
  ])
})
afterEach(() => fake.close())
const { adapter, context, creates } = harness(() => fake)
const spec = (id: string) => MODEL_SPECS.find((m) => m.id === id)!

describe('hixai-web failures, classified for the pool', () => {
  it('a cookie that is not logged in is credential_invalid before any event', async () => {
    const err = await failure(adapter().chat(request('gpt-4o', [user('a')]), context('dead')))
    expect(err.kind).toBe('credential_invalid')
    expect(err.message).toMatch(/not login/)
    expect(err.before).toEqual([])
  })

  it('a "not login" reply on the chat stream itself is credential_invalid before any event', async () => {
    const ctx = context('tok-0')
    const chatId = (await collectEvents(adapter().chat(request('gpt-4o', [user('a')]), ctx)))[0] as { id: string }
    fake.state.accounts.delete('tok-0') // signed out in the browser
    const err = await failure(adapter().chat(request('gpt-4o', [user('b')], { conversationId: chatId.id }), ctx))
    expect(err.kind).toBe('credential_invalid')
    expect(err.before).toEqual([])
  })

  it('a Cloudflare challenge is a protocol error that says so and suggests PROXY_URL', async () => {
    fake.state.cloudflare = 'challenge'
    const err = await failure(adapter().chat(request('gpt-4o', [user('a')]), context()))
    expect(err.kind).toBe('protocol')
    expect(err.message).toMatch(/Cloudflare challenge.*PROXY_URL/)
    expect(err.before).toEqual([])
  })

  it('a non-browser user agent is challenged by Cloudflare too', async () => {
    const err = await failure(adapter().chat(request('gpt-4o', [user('a')]), context('tok-0', { user_agent: 'curl/8.0' })))
    expect(err.message).toMatch(/Cloudflare challenge/)
  })

  it('a bare HTML 403 is reported as Forbidden, probably Cloudflare, with PROXY_URL advice', async () => {
    fake.state.cloudflare = 'block'
    const err = await failure(adapter().chat(request('gpt-4o', [user('a')]), context()))
    expect(err.kind).toBe('protocol')
    expect(err.message).toMatch(/Forbidden.*PROXY_URL/)
  })

  it('too little credit for the model is quota_exhausted, nothing is charged, the empty chat is removed', async () => {
    const err = await failure(adapter().chat(request('gpt-4o', [user('a')]), context('tok-1')))
    expect(err.kind).toBe('quota_exhausted')
    expect(fake.state.accounts.get('tok-1')!.credit).toBe(3)
    expect(creates()).toHaveLength(1)
    expect(fake.state.chats.size).toBe(0)
  })

  it('an ADVANCED model without a subscription is quota_exhausted at createChat', async () => {
    const err = await failure(adapter().chat(request('claude-3-7-sonnet', [user('a')]), context('tok-0')))
    expect(err.kind).toBe('quota_exhausted')
    expect(err.message).toMatch(/ADVANCED/)
  })

  it('an ADVANCED model is charged to the advanced credit of a subscribed cookie', async () => {
    await collectEvents(adapter().chat(request('claude-3-7-sonnet', [user('a')]), context('tok-1')))
    expect(fake.state.accounts.get('tok-1')).toMatchObject({ credit: 3, advancedCredit: 80 })
  })

  it('an unknown model is the client’s mistake', async () => {
    expect((await failure(adapter().chat(request('gpt-5', [user('a')]), context()))).kind).toBe('invalid_request')
  })
})

describe('hixai-web probe', () => {
  it('reports the account and its standard and advanced credit', async () => {
    expect(await adapter().probe!(context('tok-0'))).toEqual({ ok: true, account: 'rich@example.com', credit: 100, advancedCredit: 0, subscribed: false })
    expect(await adapter().probe!(context('tok-1'))).toMatchObject({ ok: true, credit: 3, advancedCredit: 100, subscribed: true })
  })

  it('sends the batch input the credit query expects', async () => {
    await adapter().probe!(context('tok-0'))
    const query = fake.state.log.find((l) => l.path.includes('subUsage.getSubUsage'))!.path
    const input = JSON.parse(new URL(query, fake.url).searchParams.get('input')!)
    expect(Object.keys(input)).toEqual(['0', '1', '2', '3', '4', '5'])
    expect(input['2']).toEqual({ json: { appName: 'HIXChat' } })
  })

  it('sees the credit a chat used', async () => {
    await collectEvents(adapter().chat(request('claude-3-5-haiku', [user('a')]), context('tok-0')))
    expect(await adapter().probe!(context('tok-0'))).toMatchObject({ credit: 90 })
  })

  it('marks a logged-out cookie unhealthy', async () => {
    expect(await adapter().probe!(context('dead'))).toMatchObject({ ok: false, reason: expect.stringMatching(/not login/) })
  })

  it('throws on Cloudflare instead of blaming the cookie', async () => {
    fake.state.cloudflare = 'challenge'
    expect((await failure(adapter().probe!(context('tok-0')))).kind).toBe('protocol')
  })
})

describe('hixai-web canServe', () => {
  const cred = (v: Partial<CredentialView>): CredentialView => ({ id: 1, secret: 's', state: {}, ...v })
  const cases: [string, Partial<CredentialView>, boolean][] = [
    ['gpt-4o', { credit: 30 }, true],
    ['gpt-4o', { credit: 29 }, false],
    ['gemini-1-5-pro-1m', { credit: 2499, advancedCredit: 9999, subscribed: true }, false],
    ['claude-3-7-sonnet', { credit: 9999, advancedCredit: 20, subscribed: true }, true],
    ['claude-3-7-sonnet', { credit: 9999, advancedCredit: 19, subscribed: true }, false],
    ['claude-3-7-sonnet', { credit: 9999, advancedCredit: 9999, subscribed: false }, false],
    ['gpt-4o', {}, true], // never probed: let the upstream decide
  ]
  it.each(cases)('%s with %j → %s', (id, view, expected) => {
    expect(canServe(spec(id), cred(view))).toBe(expected)
  })

  it('lets a model without hix metadata through', () => {
    expect(canServe({ id: 'x' } as ModelSpec, cred({ credit: 0 }))).toBe(true)
  })
})

describe('hixai-web deleteConversation', () => {
  it('deletes the chat upstream and forgets its pair entries; a chat already gone is fine', async () => {
    const ctx = context('tok-0')
    const first = await collectEvents(adapter().chat(request('gpt-4o-mini', [user('a')]), ctx))
    const chatId = (first[0] as { id: string }).id
    expect(Object.values(ctx.state.pairs as object)).toHaveLength(1)
    await adapter().deleteConversation!({ conversationId: chatId }, ctx)
    expect(fake.state.chats.has(chatId)).toBe(false)
    expect(ctx.state.pairs).toEqual({})
    await expect(adapter().deleteConversation!({ conversationId: chatId }, ctx)).resolves.toBeUndefined()
  })

  it('still fails loudly when the cookie is dead', async () => {
    expect((await failure(adapter().deleteConversation!({ conversationId: 'x' }, context('dead')))).kind).toBe('credential_invalid')
  })
})
