// Token refreshes across instances (REDIS_URL): two instances on one database file and one Redis
// get their first requests at once with no usable token, and later both see their cached token
// refused at once; each time the upstream sees ONE refresh (or login) and both requests succeed.
// Each instance has a module graph of its own, as a separate process would: module-level
// single-flights are not shared, so only the Redis lock keeps the second refresh away. The
// refresh endpoints answer slowly (through a delaying door) so the two refreshes would overlap.
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type FakeDeepseek, startFakeDeepseek } from '../fakes/deepseek-web.js'
import { type FakeKimi, startFakeKimi } from '../fakes/kimi-web.js'
import { type QwenFake, qwenAnswer, startQwenFake } from '../fakes/qwen-web.js'
import type { TestApp } from '../helpers/app.js'
import { type RunningServer, startServer } from '../helpers/fake-server.js'
import { REDIS_HOST, REDIS_PORT, dropPrefix, requireRedis, testPrefix } from '../helpers/redis.js'

const prefix = testPrefix()
const dir = mkdtempSync(join(tmpdir(), 'freeway-shared-refresh-'))
const REFRESH_DELAY_MS = 300
const QWEN_LOGIN = 'li.lei@example.com:pw-1'
let redis: Redis
let deepseek: FakeDeepseek
let kimi: FakeKimi
let kimiRefreshToken: string
let qwen: QwenFake
const doors: RunningServer[] = []
const apps: TestApp[] = []
let a: TestApp
let b: TestApp

/** A loopback door to `target` that holds requests whose path matches `slow` for a while first. */
async function slowDoor(target: string, slow: RegExp): Promise<string> {
  const door = await startServer(async (req, res) => {
    if (slow.test(req.url ?? '')) await sleep(REFRESH_DELAY_MS)
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  doors.push(door)
  return door.url
}

/** One more instance on the same database file and the same Redis, with modules of its own. */
async function instance(urls: { deepseek: string; kimi: string; qwen: string }): Promise<TestApp> {
  vi.resetModules()
  const { startTestApp } = await import('../helpers/app.js')
  const app = await startTestApp({
    databasePath: join(dir, 'freeway.db'),
    env: { REDIS_URL: `redis://${REDIS_HOST}:${REDIS_PORT}` },
    config: {
      redis: { prefix },
      providers: {
        'deepseek-web': { base_url: urls.deepseek, credentials: ['user-token-a'], concurrency: 4 },
        'kimi-web': { base_url: urls.kimi, auth_url: urls.kimi, credentials: [kimiRefreshToken], concurrency: 4 },
        'qwen-web': { base_url: urls.qwen, intl_url: urls.qwen, site: 'intl', credentials: [QWEN_LOGIN], concurrency: 4 },
      },
    },
  })
  await app.services.shared!.redis.settled
  expect(app.services.shared!.redis.available).toBe(true)
  apps.push(app)
  return app
}

beforeAll(async () => {
  redis = await requireRedis()
  deepseek = await startFakeDeepseek()
  kimi = await startFakeKimi()
  kimiRefreshToken = kimi.auth.login({ sub: 'shared-user' }).refreshToken
  qwen = await startQwenFake()
  qwen.accounts.set(QWEN_LOGIN.split(':')[0]!, 'pw-1')
  qwen.requireBrowserCookies = false
  const urls = {
    deepseek: await slowDoor(deepseek.url, /^\/api\/v0\/users\/current/),
    kimi: await slowDoor(kimi.url, /RefreshToken/),
    qwen: await slowDoor(qwen.url, /\/auths\/signin/),
  }
  a = await instance(urls)
  b = await instance(urls)
})
afterAll(async () => {
  for (const app of apps) await app.close()
  await Promise.all([...doors, deepseek, kimi, qwen].map((s) => s?.close()))
  if (redis) await dropPrefix(redis, prefix)
  rmSync(dir, { recursive: true, force: true })
})

/** The same question on both instances at once; the answers' texts. */
async function askBoth(model: string, content: string): Promise<(string | null)[]> {
  const ask = async (app: TestApp) =>
    (await app.openai().chat.completions.create({ model, messages: [{ role: 'user', content }] })).choices[0]!.message.content
  return Promise.all([ask(a), ask(b)])
}

describe('deepseek-web across instances', () => {
  const refreshes = () => deepseek.calls.filter((c) => c.path === '/api/v0/users/current').length

  it('two first requests at once: one session-token refresh, both answered', async () => {
    expect(await askBoth('deepseek-chat', '你好')).toEqual(['第1轮回答：你好。', '第1轮回答：你好。'])
    expect(refreshes()).toBe(1)
  })

  it('the session token refused on both at once: one refresh, both answered', async () => {
    deepseek.revokeSessionTokens()
    expect(await askBoth('deepseek-chat', '再见')).toEqual(['第1轮回答：再见。', '第1轮回答：再见。'])
    expect(refreshes()).toBe(2)
  })
})

describe('kimi-web across instances (a rotating refresh token)', () => {
  const refreshes = () => kimi.auth.refreshes.map((r) => r.status)

  it('an instance whose remembered chain was rotated by the other renews from the stored chain, not its spent token', async () => {
    const ask = async (app: TestApp) =>
      (await app.openai().chat.completions.create({ model: 'kimi', messages: [{ role: 'user', content: '1+1=' }] })).choices[0]!.message.content
    kimi.auth.accessTtlS = 100 // every access token is born inside the renewal margin: each request renews
    try {
      expect(await ask(a)).toBe('答案是 42') // A renews the pasted token: its memory holds the new chain
      expect(await ask(b)).toBe('答案是 42') // B renews that chain, spending the refresh token A remembers
      expect(await ask(a)).toBe('答案是 42') // A renews from the chain B stored
    } finally {
      kimi.auth.accessTtlS = 900
    }
    expect(refreshes()).toEqual([200, 200, 200])
  })

  it('two requests at once with an access token due for renewal: one rotation, both answered', async () => {
    expect(await askBoth('kimi', '1+1=')).toEqual(['答案是 42', '答案是 42'])
    expect(refreshes()).toEqual([200, 200, 200, 200])
  })

  it('the access token refused on both at once: one rotation, both answered', async () => {
    kimi.auth.advance(16 * 60) // the upstream's clock says expired; the instances still see minutes left
    expect(await askBoth('kimi', '1+1=')).toEqual(['答案是 42', '答案是 42'])
    expect(refreshes()).toEqual([200, 200, 200, 200, 200])
  })
})

describe('qwen-web across instances (e-mail and password login)', () => {
  const signIns = () => qwen.calls.filter((c) => c.path.endsWith('/auths/signin')).length

  it('two first requests at once: one sign-in, both answered', async () => {
    expect(await askBoth('qwen3', '一')).toEqual([qwenAnswer('一', 1), qwenAnswer('一', 1)])
    expect(signIns()).toBe(1)
  })

  it('the token refused on both at once: one new sign-in, both answered', async () => {
    qwen.tokens.clear()
    expect(await askBoth('qwen3', '二')).toEqual([qwenAnswer('二', 1), qwenAnswer('二', 1)])
    expect(signIns()).toBe(2)
  })
})
