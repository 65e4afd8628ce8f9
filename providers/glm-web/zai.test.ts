import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest, ProviderAdapter } from '../../src/kit/types.js'
import { makeContext as baseContext, collectEvents, createAdapter, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { FakeZai, ZAI_FE, zaiJwt } from '../../test/fakes/glm-web-zai.js'
import type { GlmSettings } from './constants.js'
import glmWeb from './index.js'

const fake = await new FakeZai().start()
afterAll(() => fake.close())
const token = fake.addUser('u-42')
const withCaptcha = JSON.stringify({ token, captcha_verify_param: 'cap-good' })

let adapter: ProviderAdapter<GlmSettings>
beforeEach(() => {
  adapter = createAdapter(glmWeb, fake.url, { site: 'intl' })
  fake.completions = []
  fake.plan = (body) => ({ answer: `Answer: ${body.signature_prompt}` })
})

const makeContext = (secret = withCaptcha, settings: Partial<GlmSettings> = {}) =>
  baseContext<GlmSettings>({ secret: adapter.normalizeSecret!(secret), baseUrl: fake.url, settings: { ...glmWeb.settings!.parse({ site: 'intl' }), ...settings } })

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'glm-5.3',
  requestedModel: 'glm-5.3',
  flags: new Set(),
  messages: [{ role: 'user', content: 'hello' }],
  stream: true,
  extra: {},
  ...over,
})

describe('glm-web on chat.z.ai (site: intl)', () => {
  it('creates a chat, signs the completion, forwards the captcha token and reads the stream', async () => {
    const events = await collectEvents(adapter.chat(request(), makeContext()))
    expect(events[0]).toMatchObject({ type: 'conversation', id: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    expect(textFrom(events)).toBe('Answer: hello')
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    const call = fake.completions[0]!
    expect(call.body).toMatchObject({ model: 'glm-5.3', signature_prompt: 'hello', captcha_verify_param: 'cap-good' })
    expect(call.query.get('user_id')).toBe('u-42')
    expect(call.headers['x-fe-version']).toBe(ZAI_FE) // read from the home page
  })

  it('-think turns thinking on and reads the <details> reasoning, edits and UTF-16 indexes included', async () => {
    fake.plan = () => ({ think: 'The user greets.\nReply 😊 kindly.', answer: 'Hi 😊 there, friend 🌍!', usage: { prompt_tokens: 5, completion_tokens: 9 } })
    const events = await collectEvents(adapter.chat(request({ flags: new Set(['think']) }), makeContext()))
    expect(fake.completions[0]!.body.features).toMatchObject({ enable_thinking: true })
    expect(reasoningFrom(events)).toBe('The user greets.\nReply 😊 kindly.')
    expect(textFrom(events)).toBe('Hi 😊 there, friend 🌍!')
    expect(events).toContainEqual({ type: 'usage', promptTokens: 5, completionTokens: 9 })
  })

  it('maps public model names to the site\'s and sends the whole history on a continued chat', async () => {
    const ctx = makeContext()
    const first = await collectEvents(adapter.chat(request({ model: 'glm-5.1' }), ctx))
    const chatId = (first[0] as { id: string }).id
    expect(fake.completions[0]!.body.model).toBe('GLM-5.1')
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: textFrom(first) },
      { role: 'user', content: 'again' },
    ]
    const second = await collectEvents(adapter.chat(request({ messages, continueFrom: { conversationId: chatId } }), ctx))
    expect(second[0]).toEqual({ type: 'conversation', id: chatId })
    expect(fake.completions[1]!.body).toMatchObject({ chat_id: chatId, signature_prompt: 'again', messages })
    expect(fake.chats.size).toBeGreaterThan(0)
    await adapter.deleteConversation!({ conversationId: chatId }, ctx)
    expect(fake.deleted).toContain(chatId)
  })

  it('without a captcha token, FRONTEND_CAPTCHA_REQUIRED is a clear error that rests the credential', async () => {
    const err = await collectEvents(adapter.chat(request(), makeContext(token))).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30 * 60_000 })
    expect((err as Error).message).toMatch(/chat\.z\.ai requires a captcha token \(FRONTEND_CAPTCHA_REQUIRED, missing_param\); a relay cannot produce one/)
  })

  it('a refused captcha token says to paste a fresh one', async () => {
    const stale = JSON.stringify({ token, captcha_verify_param: 'cap-stale' })
    await expect(collectEvents(adapter.chat(request(), makeContext(stale)))).rejects.toMatchObject({
      message: expect.stringMatching(/verify_failed.*paste a fresh one/),
    })
  })

  it('the fake recomputes the signature: a wrong one is refused and read as a signing change', async () => {
    const res = await fetch(`${fake.url}/api/v1/chats/new`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, cookie: `token=${token}`, origin: 'https://chat.z.ai', referer: 'https://chat.z.ai/', 'x-fe-version': ZAI_FE },
      body: JSON.stringify({ chat: { models: ['glm-5.3'], history: { currentId: 'm' } } }),
    })
    const { id } = (await res.json()) as { id: string }
    const q = new URLSearchParams({ timestamp: String(Date.now()), requestId: 'r', user_id: 'u-42', version: '0.0.1', platform: 'web', token })
    q.set('signature_timestamp', q.get('timestamp')!)
    const headers = { authorization: `Bearer ${token}`, cookie: `token=${token}`, origin: 'https://chat.z.ai', referer: `https://chat.z.ai/c/${id}`, 'x-fe-version': ZAI_FE }
    const body = JSON.stringify({ chat_id: id, messages: [{ role: 'user', content: 'hi' }], signature_prompt: 'hi', captcha_verify_param: 'cap-good' })
    const bad = await fetch(`${fake.url}/api/v2/chat/completions?${q}`, { method: 'POST', headers: { ...headers, 'x-signature': '00' }, body })
    expect(bad.status).toBe(400)
    const waf = await fetch(`${fake.url}/api/v2/chat/completions`, { method: 'POST', headers: { ...headers, 'x-signature': '00' }, body })
    expect(waf.status).toBe(405)
    expect(await waf.text()).toMatch(/blocked/)
  })

  it('the probe names the account; an unknown token is an invalid credential', async () => {
    expect(await adapter.probe!(makeContext())).toEqual({ ok: true, account: 'u-42@example.com' })
    const stranger = zaiJwt('nobody')
    await expect(collectEvents(adapter.chat(request(), makeContext(stranger)))).rejects.toMatchObject({ kind: 'credential_invalid' })
  })

  it('uses a configured fe_version without reading the home page', async () => {
    const hits = fake.homePageHits
    const own = createAdapter(glmWeb, fake.url, { site: 'intl', fe_version: 'prod-fe-1.2.3' })
    await collectEvents(own.chat(request(), makeContext(withCaptcha, { fe_version: 'prod-fe-1.2.3' })))
    expect(fake.completions.at(-1)!.headers['x-fe-version']).toBe('prod-fe-1.2.3')
    expect(fake.homePageHits).toBe(hits)
  })

  it.each([
    ['a bare JWT', token, token],
    ['a token cookie', `theme=dark; token=${token}`, token],
    ['the cookie with a captcha token', `token=${token}; captcha_verify_param=cap-x`, JSON.stringify({ token, captcha_verify_param: 'cap-x' })],
    ['localStorage JSON with a captcha token', JSON.stringify({ token, captcha_verify_param: 'cap-y' }), JSON.stringify({ token, captcha_verify_param: 'cap-y' })],
  ])('normalizeSecret accepts %s', (_label, raw, expected) => {
    expect(adapter.normalizeSecret!(raw)).toBe(expected)
  })

  it('normalizeSecret refuses a token without a user id', () => {
    expect(() => adapter.normalizeSecret!('not-a-jwt')).toThrow(/not a chat\.z\.ai token/)
  })
})
