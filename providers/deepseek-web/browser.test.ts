// The 2026 browser identity: headers from settings, the version floor, pasted WAF/session cookies,
// continuation turns with model_type null, streams without finish/title, BATCH usage.
import { afterEach, describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { chatRequest, conversationOf, deepseekSetUp, failure } from '../../test/fakes/deepseek-web-harness.js'
import type { FakeDeepseek, FakeDeepseekOptions } from '../../test/fakes/deepseek-web.js'
import { collectEvents, textFrom } from '../../test/helpers/adapter-context.js'
import type { DeepseekSettings } from './client.js'
import { WAF_COOLDOWN_MS } from './constants.js'
import deepseekWeb from './index.js'
import { normalizeSecret, splitSecret } from './identity.js'

let fake: FakeDeepseek
afterEach(() => fake?.close())

async function setUp(options: FakeDeepseekOptions = {}, settings: Partial<DeepseekSettings> = {}, secret?: string) {
  const made = await deepseekSetUp(options, settings, secret)
  fake = made.fake
  return made
}

const WAF = { 'aws-waf-token': 'waf-1:AAAA:bbbb', ds_session_id: 'sess-cookie-1' }
const completionHeaders = () => fake.calls.filter((c) => c.path === '/api/v0/chat/completion').at(-1)!.headers

describe('deepseek-web browser identity (2026 capture)', () => {
  it('sends the captured header set, with a per-session referer on the chat calls', async () => {
    const { adapter, ctx } = await setUp()
    await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx))
    const sessionId = [...fake.sessions.keys()][0]!
    const h = completionHeaders()
    expect(h).toMatchObject({
      'x-app-version': '2.0.0',
      'x-client-platform': 'web',
      'x-client-version': '2.0.0',
      'x-client-locale': 'en_US',
      'x-client-timezone-offset': String(-new Date().getTimezoneOffset() * 60 || 0),
      'sec-fetch-site': 'same-origin',
      'sec-ch-ua-mobile': '?0',
      referer: `${new URL(fake.url).origin}/a/chat/s/${sessionId}`,
    })
    expect(h['sec-ch-ua']).toContain('v="135"')
    expect(h['x-client-bundle-id']).toBeUndefined()
    expect(fake.calls.find((c) => c.path === '/api/v0/chat_session/create')!.headers.referer).toBe(`${new URL(fake.url).origin}/`)
  })

  it('takes every version and header from the settings; empty ones are left out', async () => {
    const settings = {
      client_version: '2.5.0',
      app_version: '',
      locale: 'zh_CN',
      timezone_offset: 28800,
      bundle_id: 'com.deepseek.chat',
      client_platform: 'web',
      user_agent: 'UA/1',
      sec_ch_ua: '',
      extra_headers: { 'x-hif-leim': 'leim-1' },
    }
    const { adapter, ctx } = await setUp({ minClientVersion: '2.4.0' }, settings)
    await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx))
    const h = completionHeaders()
    expect(h).toMatchObject({ 'x-client-version': '2.5.0', 'x-client-locale': 'zh_CN', 'x-client-timezone-offset': '28800' })
    expect(h).toMatchObject({ 'x-client-bundle-id': 'com.deepseek.chat', 'user-agent': 'UA/1', 'x-hif-leim': 'leim-1' })
    expect(h['x-app-version']).toBeUndefined()
    expect(h['sec-ch-ua']).toBeUndefined()
  })

  it('a raised floor rejects the default version with CLIENT_VERSION_TOO_LOW naming the setting', async () => {
    const { adapter, ctx } = await setUp({ minClientVersion: '2.4.0' })
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx)))
    expect(err.kind).toBe('unavailable')
    expect(err.message).toContain('CLIENT_VERSION_TOO_LOW')
    expect(err.message).toContain('providers.deepseek-web.client_version')
    expect(fake.completions).toHaveLength(0)
  })

  it('continuation turns send model_type null; the first turn names the model type', async () => {
    const { adapter, ctx } = await setUp()
    const first = await collectEvents(adapter.chat(chatRequest('deepseek-v4-pro', '第一问'), ctx))
    expect(fake.completions[0]!.body.model_type).toBe('expert')
    const { id, parentId } = conversationOf(first)
    const history = [
      { role: 'user' as const, content: '第一问' },
      { role: 'assistant' as const, content: textFrom(first) },
      { role: 'user' as const, content: '第二问' },
    ]
    await collectEvents(adapter.chat(chatRequest('deepseek-v4-pro', history, [], { continueFrom: { conversationId: id, parentId: parentId! } }), ctx))
    expect(fake.completions[1]!.body).toMatchObject({ parent_message_id: 2, model_type: null, prompt: '第二问' })
  })

  it('reads a stream without finish and title events (the 2026 capture) and reports its BATCH usage', async () => {
    const { adapter, ctx } = await setUp({ closing: '2026' })
    const events = await collectEvents(adapter.chat(chatRequest('deepseek-chat', '你好'), ctx))
    expect(textFrom(events)).toBe('第1轮回答：你好。')
    const usage = events.find((e) => e.type === 'usage') as Extract<DeltaEvent, { type: 'usage' }>
    expect(usage.promptTokens + usage.completionTokens).toBe(2 + [...'第1轮回答：你好。'].length)
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })
})

describe('deepseek-web pasted cookies', () => {
  it.each([
    ['userToken=tok-1; ds_session_id=s1; aws-waf-token=w1', 'userToken=tok-1; ds_session_id=s1; aws-waf-token=w1'],
    ['{"userToken":"tok-1","aws-waf-token":"w1"}', 'userToken=tok-1; aws-waf-token=w1'],
    ['{"userToken":{"value":"tok-1"},"cookie":"a=1; ds_session_id=s1"}', 'userToken=tok-1; ds_session_id=s1'],
    ['Cookie: smidV2=x; userToken=tok-1; aws-waf-token=w1', 'userToken=tok-1; aws-waf-token=w1'],
    ['{"value":"tok-1","__version":"0"}', 'tok-1'],
    ['tok-1==', 'tok-1=='],
  ])('normalizes %j', (raw, expected) => {
    expect(normalizeSecret(raw)).toBe(expected)
    expect(deepseekWeb.create('deepseek-web', deepseekWeb.settings!.parse({}) as never).normalizeSecret!(raw)).toBe(expected)
  })

  it('splits a stored secret back into the token and the cookies', () => {
    expect(splitSecret('userToken=tok-1==; aws-waf-token=w1')).toEqual({ token: 'tok-1==', cookies: new Map([['aws-waf-token', 'w1']]) })
    expect(splitSecret('tok-1==')).toEqual({ token: 'tok-1==', cookies: new Map() })
  })

  it('forwards the pasted cookies on every call, and keeps the ds_session_id the server rotates', async () => {
    const secret = normalizeSecret(`userToken=user-token-a; ds_session_id=${WAF.ds_session_id}; aws-waf-token=${WAF['aws-waf-token']}`)
    const { adapter, ctx } = await setUp({ requireCookies: WAF }, {}, secret)
    const events = await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx))
    expect(textFrom(events)).toBe('第1轮回答：hi。')
    expect(fake.calls[0]!.headers.authorization).toBe('Bearer user-token-a')
    const rotated = fake.issuedSessionCookies.at(-1)
    expect(ctx.state.cookies).toMatchObject({ values: { ds_session_id: rotated } })
    expect(completionHeaders().cookie).toBe(`ds_session_id=${rotated}; aws-waf-token=${WAF['aws-waf-token']}`)
    // A fresh paste starts from its own cookies, not from what the old one was rotated to.
    const repasted = { ...ctx, credential: { ...ctx.credential, secret: 'userToken=user-token-a; ds_session_id=sess-2; aws-waf-token=waf-2' } }
    fake.options.requireCookies = { ds_session_id: 'sess-2', 'aws-waf-token': 'waf-2' }
    await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'again'), repasted))
    expect(completionHeaders().cookie).toBe('ds_session_id=sess-2; aws-waf-token=waf-2')
  })

  it('without the WAF token the site answers its challenge page: a browser check that cools the credential', async () => {
    const { adapter, ctx } = await setUp({ requireCookies: WAF })
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx)))
    expect(err.kind).toBe('rate_limited')
    expect(err.retryAfterMs).toBe(WAF_COOLDOWN_MS)
    expect(err.message).toMatch(/AWS WAF asks for a browser check.*aws-waf-token/)
  })
})
