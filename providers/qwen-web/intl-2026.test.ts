// chat.qwen.ai as the site checks requests in late 2026: header set and payload fields, the risk
// control (browser check), and the optional email:password token login.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { collectEvents, reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { QWEN_THINKING, type QwenFake, qwenAnswer, startQwenFake } from '../../test/fakes/qwen-web.js'
import { fakeJwt, qwenRequest, qwenSetup, user } from '../../test/fakes/qwen-web-harness.js'
import { BROWSER_CHECK_COOLDOWN_MS, INTL_BX_V, INTL_VERSION } from './constants.js'
import { hashPassword, timezoneHeader } from './login-intl.js'

let fake: QwenFake
const TOKEN = fakeJwt({ id: 'user-42', email: 'a@example.com', exp: Math.floor(Date.now() / 1000) + 3600 })
const JAR = `token=${TOKEN}; cna=abc; x-ap=ap-southeast-1`
const LOGIN = 'li.lei@example.com:s3cret:with=colon'
beforeAll(async () => {
  fake = await startQwenFake()
  fake.tokens.add(TOKEN)
  fake.accounts.set('li.lei@example.com', 's3cret:with=colon')
})
afterAll(() => fake.close())
afterEach(() => {
  fake.scenario = 'answer'
  fake.signinV1Only = false
  fake.requireBrowserCookies = true
  fake.calls.length = 0
})

const setup = (secret = JAR, settings: Record<string, unknown> = {}) => qwenSetup(fake, { site: 'intl', secret, settings })
const callsTo = (path: string) => fake.calls.filter((c) => c.path === path)
const ask = (s: ReturnType<typeof setup>, text = '你好', flags: string[] = []) =>
  collectEvents(s.adapter.chat(qwenRequest('qwen3-max', [user(text)], { flags: new Set(flags) }), s.ctx))

describe('qwen-web chat.qwen.ai 2026 request shape', () => {
  it('sends source, version, a fresh x-request-id, bx-v, and timestamp/project_id in both payloads', async () => {
    const events = await ask(setup(), '你好', ['thinking'])
    expect(textFrom(events)).toBe(qwenAnswer('你好', 1))
    expect(reasoningFrom(events)).toBe(QWEN_THINKING)
    const [created, completion] = [callsTo('/api/v2/chats/new')[0]!, callsTo('/api/v2/chat/completions')[0]!]
    for (const call of [created, completion]) {
      expect(call.headers).toMatchObject({ source: 'web', version: INTL_VERSION, 'bx-v': INTL_BX_V, 'x-accel-buffering': 'no' })
      expect(call.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
      expect(call.headers.timezone).not.toMatch(/\(/)
      expect(call.body).toMatchObject({ timestamp: expect.any(Number), project_id: '' })
    }
    expect(created.headers['x-request-id']).not.toBe(completion.headers['x-request-id'])
    const message = (completion.body.messages as Record<string, unknown>[])[0]!
    expect(message).toMatchObject({ version: '2.1', extra: { meta: { subChatType: 't2t' } } })
    expect(message.feature_config).toMatchObject({ thinking_format: 'summary', research_mode: 'normal', auto_search: true })
  })

  it('takes version and bx-v from the settings', async () => {
    await ask(setup(JAR, { intl_version: '0.2.99', intl_bx_v: '2.5.40' }))
    expect(callsTo('/api/v2/chat/completions')[0]!.headers).toMatchObject({ version: '0.2.99', 'bx-v': '2.5.40' })
  })

  it('the fake answers the old request shape as the site now does', async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, cookie: JAR, source: 'web', version: '0.2.7', 'content-type': 'application/json' }
    const post = (extra: Record<string, string>, body: unknown) =>
      fetch(`${fake.url}/api/v2/chats/new`, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) })
    expect(await (await post({}, { title: 'x' })).text()).toContain('aliyun_waf_aa')
    const old = await post({ 'x-request-id': crypto.randomUUID() }, { title: 'x', models: ['qwen3-max'] })
    expect(await old.json()).toMatchObject({ ret: [expect.stringContaining('FAIL_SYS_USER_VALIDATE')] })
  })

  it.each(['browser-check', 'waf'] as const)('%s: a browser check that cools the credential, with what to do', async (scenario) => {
    fake.scenario = scenario
    const err = await ask(setup()).catch((e) => e)
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: BROWSER_CHECK_COOLDOWN_MS })
    expect(err.message).toMatch(/chat\.qwen\.ai asks for a browser check .*open chat\.qwen\.ai in a browser/)
  })

  it('formats Timezone like the browser, without the zone name', () => {
    const stamp = timezoneHeader(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))
    expect(stamp).toMatch(/^\w{3} \w{3} \d{2} 2026 \d{2}:\d{2}:\d{2} GMT[+-]\d{4}$/)
  })
})

describe('qwen-web chat.qwen.ai token login (email:password)', () => {
  it('hashes the password as SHA-256 hex (test vector)', () => {
    expect(hashPassword('password')).toBe('5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8')
  })

  it('keeps the login form as the secret; cookie jars and JWTs are not mistaken for it', () => {
    const { adapter } = setup()
    expect(adapter.normalizeSecret!(` ${LOGIN}\n`)).toBe(LOGIN)
    expect(adapter.normalizeSecret!(JAR)).toBe(JAR)
  })

  it('signs in with the hashed password, saves the token before using it, and survives a restart', async () => {
    fake.requireBrowserCookies = false // whether the sign-in cookies alone pass is unverified upstream
    const first = setup(LOGIN)
    const saved: number[] = []
    const save = first.ctx.saveState
    first.ctx.saveState = (patch) => {
      saved.push(fake.calls.length)
      save(patch)
    }
    expect(textFrom(await ask(first))).toBe(qwenAnswer('你好', 1))
    const signin = callsTo('/api/v2/auths/signin')
    expect(signin).toHaveLength(1)
    expect(signin[0]!.body).toEqual({ email: 'li.lei@example.com', password: hashPassword('s3cret:with=colon') })
    expect(saved).toEqual([1]) // saved right after the sign-in answer, before chats/new
    const login = first.ctx.state.intlLogin as { token: string; cookie: string }
    expect(callsTo('/api/v2/chat/completions')[0]!.headers.authorization).toBe(`Bearer ${login.token}`)
    expect(login.cookie).toContain(`token=${login.token}`)

    const restarted = qwenSetup(fake, { site: 'intl', secret: LOGIN })
    Object.assign(restarted.ctx.state, first.ctx.state)
    expect(textFrom(await ask(restarted, '再问'))).toBe(qwenAnswer('再问', 1))
    expect(callsTo('/api/v2/auths/signin')).toHaveLength(1)
  })

  it('renews a token that is near its exp, and signs in again once when the site drops it', async () => {
    fake.requireBrowserCookies = false
    const s = setup(LOGIN)
    s.ctx.saveState({ intlLogin: { token: TOKEN, cookie: `token=${TOKEN}`, expiresAt: Date.now() + 60_000 } })
    await ask(s)
    expect(callsTo('/api/v2/auths/signin')).toHaveLength(1)
    const dead = fakeJwt({ id: 'gone' })
    s.ctx.saveState({ intlLogin: { token: dead, cookie: `token=${dead}`, expiresAt: Date.now() + 30 * 86_400_000 } })
    expect(textFrom(await ask(s, '三'))).toBe(qwenAnswer('三', 1))
    expect(callsTo('/api/v2/auths/signin')).toHaveLength(2)
    expect((s.ctx.state.intlLogin as { token: string }).token).not.toBe(dead)
  })

  it('falls back to the v1 sign-in path; a wrong password is an invalid credential; probes sign in', async () => {
    fake.signinV1Only = true
    const s = setup(LOGIN)
    expect(await s.adapter.probe!(s.ctx)).toEqual({ ok: true, account: 'li.lei@example.com' })
    expect(fake.calls.map((c) => c.path)).toEqual(['/api/v2/auths/signin', '/api/v1/auths/signin'])
    const wrong = setup('li.lei@example.com:nope')
    expect(await wrong.adapter.probe!(wrong.ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('refused the e-mail and password') })
    await expect(ask(wrong)).rejects.toMatchObject({ kind: 'credential_invalid' })
  })
})
