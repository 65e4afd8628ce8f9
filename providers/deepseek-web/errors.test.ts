import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { chatRequest, deepseekSetUp, failure } from '../../test/fakes/deepseek-web-harness.js'
import { CLIENT_TOO_OLD, type FakeDeepseek, type FakeDeepseekOptions, POW_ERRORS, TOKEN_INVALID } from '../../test/fakes/deepseek-web.js'
import { collectEvents, textFrom } from '../../test/helpers/adapter-context.js'
import { type DeepseekSettings, envelopeError, powHeaderValue } from './client.js'
import { deepseekHashV1, powPrefix, solvePow } from './hash.js'

let fake: FakeDeepseek
afterEach(() => fake?.close())

async function setUp(options: FakeDeepseekOptions = {}, settings: Partial<DeepseekSettings> = {}, secret?: string) {
  const made = await deepseekSetUp(options, settings, secret)
  fake = made.fake
  return made
}

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
const challengeCalls = () => fake.calls.filter((c) => c.path.endsWith('create_pow_challenge')).length

describe('deepseek-web error classes', () => {
  it('a rejected user token is credential_invalid, before any event', async () => {
    const { adapter, ctx } = await setUp({}, {}, 'not-a-token')
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx)))
    expect(err.kind).toBe('credential_invalid')
    expect(err.message).toContain('invalid token')
  })

  it('a cached session token that died is refreshed once, then the call succeeds', async () => {
    const { adapter, ctx } = await setUp()
    await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'one'), ctx))
    const stale = ctx.state.token
    fake.revokeSessionTokens()
    const events = await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'two'), ctx))
    expect(textFrom(events)).toBe('第1轮回答：two。')
    expect(ctx.state.token).not.toBe(stale)
    expect(fake.calls.filter((c) => c.path === '/api/v0/users/current')).toHaveLength(2)
  })

  it('an old client version gets the config hint, as a retryable upstream failure', async () => {
    const { adapter, ctx } = await setUp({}, { client_version: '1.0.0-always' })
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx)))
    expect(err.kind).toBe('unavailable')
    expect(err.message).toMatch(/CLIENT_VERSION_TOO_LOW.*client_version/)
  })

  it('an expired challenge is retried once with a new one, then reported', async () => {
    const { adapter, ctx } = await setUp({ challengeTtlMs: -1 })
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx)))
    expect(err.kind).toBe('unavailable')
    expect(err.message).toContain(POW_ERRORS.expired.msg)
    expect(challengeCalls()).toBe(2)
  })

  it('a challenge bound to another target path is rejected by the server and reported', async () => {
    const { adapter, ctx } = await setUp({ issueTargetPath: '/api/v0/file/upload_file' })
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx)))
    expect(err.message).toContain(POW_ERRORS.wrongTarget.msg)
  })

  it('the fake rejects a missing field, a missing PoW header and a wrong answer as the server does', async () => {
    const { adapter, ctx } = await setUp()
    await adapter.probe!(ctx)
    const headers = { authorization: `Bearer ${ctx.state.token}`, 'x-client-version': '2.0.0', 'content-type': 'application/json' }
    const post = async (path: string, body: unknown, extra: Record<string, string> = {}) =>
      (await fetch(fake.url + path, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) })).json()
    const session = { chat_session_id: 'x', prompt: 'hi' }
    expect(await post('/api/v0/chat/completion', { chat_session_id: 'x' })).toEqual({ detail: [{ loc: 'body.prompt', msg: 'Field required' }] })
    expect(await post('/api/v0/chat/completion', session)).toEqual(POW_ERRORS.missing)
    const issued = (await post('/api/v0/chat/create_pow_challenge', { target_path: '/api/v0/chat/completion' })) as {
      data: { biz_data: { challenge: Parameters<typeof powHeaderValue>[0] } }
    }
    const c = issued.data.biz_data.challenge
    const right = solvePow(c.challenge, powPrefix(c.salt, c.expire_at), c.difficulty)!
    const wrong = { 'x-ds-pow-response': powHeaderValue(c, (right + 1) % c.difficulty) }
    expect(await post('/api/v0/chat/completion', session, wrong)).toEqual(POW_ERRORS.invalid)
    expect(deepseekHashV1(powPrefix(c.salt, c.expire_at) + right)).toBe(c.challenge)
    expect(envelopeError(POW_ERRORS.invalid)?.powRejected).toBe(true)
    expect(envelopeError(POW_ERRORS.missing)?.powRejected).toBe(true)
  })

  it.each([
    [TOKEN_INVALID, 'credential_invalid'],
    [{ code: 40001, msg: 'token expired', data: null }, 'credential_invalid'],
    [{ code: 40002, msg: 'unknown', data: null }, 'rate_limited'],
    [CLIENT_TOO_OLD, 'unavailable'],
    [{ code: 0, msg: '', data: { biz_code: 3, biz_msg: '你发送消息的频率过快', biz_data: null } }, 'rate_limited'],
    [{ code: 0, msg: '', data: { biz_code: 26, biz_msg: 'invalid message id', biz_data: null } }, 'invalid_request'],
  ])('maps the envelope %j to %s', (envelope, kind) => {
    expect(envelopeError(envelope)?.kind).toBe(kind)
  })

  it('a rate-limit hint before any content is rate_limited (so the pool fails over)', async () => {
    const { adapter, ctx } = await setUp()
    fake.next.push({ kind: 'sse', body: fixture('hint-rate-limit.sse') })
    const seen: DeltaEvent[] = []
    const err = await failure((async () => { for await (const e of adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx)) seen.push(e) })())
    expect(err.kind).toBe('rate_limited')
    expect(err.message).toContain('频率过快')
    expect(seen).toEqual([])
  })

  it('a content filter ends with finish_reason content_filter', async () => {
    const { adapter, ctx } = await setUp()
    fake.next.push({ kind: 'sse', body: fixture('content-filter.sse') })
    const events = await collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx))
    expect(textFrom(events)).toBe('关于这个话题你好，这个问题我暂时无法回答。')
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'content_filter' })
  })

  it('an HTML challenge page is a protocol error naming the provider', async () => {
    const { adapter, ctx } = await setUp()
    fake.next.push({ kind: 'html' })
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx)))
    expect(err.kind).toBe('protocol')
    expect(err.message).toMatch(/^deepseek-web: HTML page/)
  })

  it('a successful JSON envelope where the stream was expected is a protocol error', async () => {
    const { adapter, ctx } = await setUp()
    fake.next.push({ kind: 'json', body: { code: 0, msg: '', data: { biz_code: 0, biz_data: null } } })
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx)))
    expect(err.kind).toBe('protocol')
    expect(err.message).toContain('JSON envelope instead of an event stream')
  })

  it('a stream that closes before any answer is an upstream failure', async () => {
    const { adapter, ctx } = await setUp()
    fake.next.push({ kind: 'sse', body: 'event: ready\ndata: {"request_message_id":1,"response_message_id":2}\n\n' })
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', 'hi'), ctx)))
    expect(err.kind).toBe('unavailable')
  })

  it('images are refused rather than silently dropped', async () => {
    const { adapter, ctx } = await setUp()
    const content = [{ type: 'image_url' as const, image_url: { url: 'data:image/png;base64,AAAA' } }]
    const err = await failure(collectEvents(adapter.chat(chatRequest('deepseek-chat', [{ role: 'user', content }]), ctx)))
    expect(err.kind).toBe('not_supported')
  })

  it('aborting mid-stream closes the upstream connection', async () => {
    const controller = new AbortController()
    const made = await deepseekSetUp()
    fake = made.fake
    const ctx = { ...made.ctx, signal: controller.signal }
    fake.next.push({ kind: 'hang' })
    const closed = fake.waitForEarlyClose()
    const iterator = made.adapter.chat(chatRequest('deepseek-reasoner', 'hi'), ctx)[Symbol.asyncIterator]()
    const firstEvents = [await iterator.next(), await iterator.next()]
    expect(firstEvents.map((r) => r.value?.type)).toEqual(['conversation', 'reasoning'])
    controller.abort()
    await expect(iterator.next()).rejects.toThrow()
    await closed
    expect(fake.earlyCloses).toBe(1)
  })
})
