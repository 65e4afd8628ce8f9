// The pool's health per credential and model, half-open trials, status logs, the wait for a slot
// and the store's coherence, on a temporary database with an in-process provider and a fake clock.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { buildConfig } from '../../src/config/load.js'
import { CredentialPool, type Lease } from '../../src/core/credential-pool.js'
import { buildProviders, type ProviderInstance } from '../../src/core/provider-registry.js'
import { type Db, openDatabase } from '../../src/db/client.js'
import { SecretBox } from '../../src/db/secret-box.js'
import { credentialInvalid, internalError, rateLimited, upstreamTimeout, upstreamUnavailable } from '../../src/kit/errors.js'
import { createLogger } from '../../src/kit/log.js'
import { memoryProvider } from '../helpers/memory-provider.js'

const chat = { id: 'chat' }
const coder = { id: 'coder' }
let db: Db
let box: SecretBox
let now: number
let pool: CredentialPool
let web: ProviderInstance
let logs: string[]

async function setup(providerBlock: Record<string, unknown> = {}, pool_: Record<string, unknown> = {}) {
  db = openDatabase(join(mkdtempSync(join(tmpdir(), 'fw-pool-health-')), 'p.db'))
  box = new SecretBox('k'.repeat(32))
  now = Date.UTC(2026, 0, 2, 3, 4, 5)
  logs = []
  const config = buildConfig({ pool: pool_, providers: { 'mem-web': providerBlock } }, {})
  const log = createLogger('warn', 'pool', (line) => logs.push(line))
  pool = new CredentialPool(db, box, config.pool, log, () => now)
  await pool.load()
  web = buildProviders([memoryProvider('mem-web', [chat, coder]).def], config).get('mem-web')!
}
const add = async (secret: string) => (await pool.store.insert({ provider: 'mem-web', secret })).id
const pick = (spec = chat, exclude: number[] = []) => pool.acquire(web, { spec, exclude: new Set(exclude) })
const fail = (spec = chat, error = upstreamUnavailable('upstream said 500')) => pool.release(pick(spec)!, error)

beforeEach(() => setup())
afterEach(() => vi.useRealTimers())

describe('transient failures count per credential and model', () => {
  it('cools only the failing model; the credential keeps serving the others', async () => {
    const id = await add('sk-only-key-1234')
    for (let i = 0; i < 3; i++) fail(chat)
    expect(pool.find(id)).toMatchObject({ status: 'active' })
    expect(pool.coolingModels(id)).toEqual([{ model: 'chat', failures: 3, until: now + 60_000 }])
    const other = pick(coder)!
    expect(other.view.id).toBe(id)
    expect(other.trial).toBe(false)
  })

  it('counts timeouts and protocol errors as transient too, and a success clears the count', async () => {
    const id = await add('sk-a')
    fail(chat, upstreamTimeout('slow'))
    fail(chat, upstreamTimeout('slow'))
    pool.release(pick(chat)!, 'ok')
    fail(chat, upstreamTimeout('slow'))
    expect(pool.coolingModels(id)).toEqual([])
  })

  it('still acts on the whole credential for auth and rate-limit failures', async () => {
    const id = await add('sk-a')
    pool.release(pick(chat)!, rateLimited('slow down', { retryAfterMs: 5000 }))
    expect(pick(coder)).toBeUndefined()
    now += 5001
    pool.release(pick(coder)!, credentialInvalid('revoked'))
    expect(pool.find(id)!.status).toBe('invalid')
    expect(pick(chat)).toBeUndefined()
  })

  it('keeps a rate-limit cool-down that another call reported while this one succeeded', async () => {
    await setup({ concurrency: 2 })
    const id = await add('sk-a')
    const [slow, fast] = [pick(chat)!, pick(chat)!]
    pool.release(fast, rateLimited('slow down', { retryAfterMs: 5000 }))
    pool.release(slow, 'ok')
    expect(pool.find(id)).toMatchObject({ status: 'cooling', cooldownUntil: now + 5000, failures: 1 })
  })

  it('never counts our own failures (internal) against the credential', async () => {
    const id = await add('sk-a')
    for (let i = 0; i < 5; i++) fail(chat, internalError('internal error while calling mem-web'))
    expect(pool.find(id)).toMatchObject({ status: 'active', failures: 0, lastError: null })
    expect(pool.coolingModels(id)).toEqual([])
  })
})

describe('half-open trials', () => {
  it('tries a cooling pair when nothing else can serve, one trial at a time', async () => {
    const id = await add('sk-a')
    for (let i = 0; i < 3; i++) fail(chat)
    const trial = pick(chat)!
    expect(trial).toMatchObject({ trial: true, model: 'chat' })
    expect(trial.view.id).toBe(id)
    expect(pick(chat)).toBeUndefined()
    expect(pool.summary(web, chat, new Set())).toBe('1 busy')
    // A failed trial cools the pair again, for twice as long.
    pool.release(trial, upstreamUnavailable('still 500'))
    expect(pool.coolingModels(id)).toEqual([{ model: 'chat', failures: 4, until: now + 120_000 }])
    const next = pick(chat)!
    expect(next.trial).toBe(true)
    pool.release(next, 'ok')
    expect(pool.coolingModels(id)).toEqual([])
    expect(pick(chat)!.trial).toBe(false)
  })

  it('prefers a healthy credential to a trial', async () => {
    const [a, b] = [(await add('sk-a')), (await add('sk-b'))]
    for (let i = 0; i < 3; i++) pool.release(pick(chat, [b])!, upstreamUnavailable('500'))
    expect(pool.coolingModels(a)).toHaveLength(1)
    for (let i = 0; i < 4; i++) {
      const lease = pick(chat)!
      expect(lease).toMatchObject({ trial: false, view: { id: b } })
      pool.release(lease, 'ok')
      now += 1
    }
  })

  it('lets the pair serve normally again once its cool-down is over, still one trial first', async () => {
    const id = await add('sk-a')
    for (let i = 0; i < 3; i++) fail(chat)
    now += 60_001
    const first = pick(chat)!
    expect(first).toMatchObject({ trial: true })
    expect(pick(chat)).toBeUndefined()
    pool.release(first, 'ok')
    expect(pool.coolingModels(id)).toEqual([])
  })
})

describe('status changes are logged at warn with reason and time, secrets masked', () => {
  it('logs cooling per model, a healed pair, an invalid and a rate-limited credential', async () => {
    await add('sk-secret-value-WXYZ')
    for (let i = 0; i < 3; i++) fail(chat, upstreamUnavailable('mem-web: The server had an error'))
    pool.release(pick(chat)!, 'ok')
    pool.release(pick(chat)!, rateLimited('mem-web: Rate limit reached', { retryAfterMs: 30_000 }))
    now += 30_001
    pool.release(pick(chat)!, 'ok')
    pool.release(pick(chat)!, credentialInvalid('mem-web: token expired'))
    const lines = logs.map((l) => l.replace(/^\S+ /, ''))
    expect(lines).toEqual([
      `WARN [pool] credential 1 (****WXYZ) of mem-web is cooling for chat until 2026-01-02T03:05:05.000Z after 3 transient failures in a row: mem-web: The server had an error`,
      'WARN [pool] credential 1 (****WXYZ) of mem-web is healthy again for chat',
      'WARN [pool] credential 1 (****WXYZ) of mem-web is cooling until 2026-01-02T03:04:35.000Z: mem-web: Rate limit reached',
      'WARN [pool] credential 1 (****WXYZ) of mem-web is active again (cool-down over)',
      'WARN [pool] credential 1 (****WXYZ) of mem-web is invalid: mem-web: token expired',
    ])
    expect(logs.join('\n')).not.toContain('sk-secret-value')
  })
})

describe('waiting for a slot', () => {
  const wait = (signal = new AbortController().signal, ms = 30_000, spec = chat) =>
    pool.waitForLease(web, { spec, exclude: new Set() }, ms, signal)

  it('hands freed slots to waiting requests in arrival order', async () => {
    const id = await add('sk-a')
    const busy = pick()!
    const order: string[] = []
    const first = wait().then((l) => {
      order.push('first')
      return l
    })
    const second = wait().then((l) => {
      order.push('second')
      return l
    })
    expect(pool.queued('mem-web')).toBe(2)
    pool.release(busy, 'ok')
    const granted = (await first)!
    expect(granted.view.id).toBe(id)
    expect(pool.queued('mem-web')).toBe(1)
    pool.release(granted, 'ok')
    expect((await second)!.view.id).toBe(id)
    expect(order).toEqual(['first', 'second'])
  })

  it('gives up after the queue timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    await add('sk-a')
    pick()
    const waiting = wait(undefined, 30_000)
    vi.advanceTimersByTime(29_999)
    expect(pool.queued('mem-web')).toBe(1)
    vi.advanceTimersByTime(1)
    expect(await waiting).toBeUndefined()
    expect(pool.queued('mem-web')).toBe(0)
  })

  it('leaves the line when the client goes away, and never takes the slot', async () => {
    await add('sk-a')
    const busy = pick()!
    const client = new AbortController()
    const waiting = wait(client.signal)
    client.abort(new DOMException('client disconnected', 'AbortError'))
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' })
    expect(pool.queued('mem-web')).toBe(0)
    pool.release(busy, 'ok')
    expect(pick()).toBeDefined()
  })

  it('does not wait when nothing could ever serve (invalid, not busy)', async () => {
    await add('sk-a')
    pool.release(pick()!, credentialInvalid('gone'))
    expect(await wait()).toBeUndefined()
    expect(pool.queued('mem-web')).toBe(0)
  })

  it('wakes a waiting request when a running trial ends', async () => {
    await setup({ concurrency: 4 })
    await add('sk-a')
    for (let i = 0; i < 3; i++) fail(chat)
    const trial = pick(chat)!
    const waiting = wait()
    pool.release(trial, 'ok')
    expect((await waiting)!.trial).toBe(false)
  })
})

describe('one credential store', () => {
  it('keeps an operator change made while a call runs (the call ending does not undo it)', async () => {
    const id = await add('sk-a')
    fail(chat) // leaves lastError set, so a success has something to write
    const lease: Lease = pick(chat)!
    pool.store.update(pool.find(id)!, { status: 'disabled' })
    pool.release(lease, 'ok')
    expect(pool.find(id)!.status).toBe('disabled')
    await pool.flushTouches() // what the pool wrote behind is stored before a 'restart'
    const fresh = new CredentialPool(db, box, buildConfig({}, {}).pool, createLogger('silent'), () => now)
    await fresh.load()
    expect(fresh.find(id)).toMatchObject({ status: 'disabled', verified: true })
  })

  it('sees inserts, updates and deletes at once, and forgets removed credentials', async () => {
    const a = await add('sk-a')
    expect(pick()!.view.id).toBe(a)
    const b = await add('sk-b')
    expect(pick()!.view.id).toBe(b)
    pool.store.update(pool.find(b)!, { secret: 'sk-b-new' })
    expect(pool.entries('mem-web').map((c) => [c.secret, c.secretTail])).toEqual([['sk-a', 'sk-a'], ['sk-b-new', '-new']])
    expect((await pool.store.remove(a))?.id).toBe(a)
    expect(pool.find(a)).toBeUndefined()
    expect(pool.store.all().map((c) => c.id)).toEqual([b])
    expect(await pool.store.remove(a)).toBeUndefined()
  })

  it('lets a request waiting for a slot use a credential added meanwhile', async () => {
    await add('sk-a')
    pick()
    const waiting = pool.waitForLease(web, { spec: chat, exclude: new Set() }, 30_000, new AbortController().signal)
    const b = await add('sk-b')
    expect((await waiting)!.view.id).toBe(b)
  })
})
