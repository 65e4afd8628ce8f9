// The pool's state machine on a temporary database with an in-process provider.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { buildConfig } from '../../src/config/load.js'
import { CredentialPool } from '../../src/core/credential-pool.js'
import { buildProviders, type ProviderInstance } from '../../src/core/provider-registry.js'
import { type Db, openDatabase } from '../../src/db/client.js'
import { SecretBox } from '../../src/db/secret-box.js'
import { credentialInvalid, invalidRequest, quotaExhausted, rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import { SingleFlight } from '../../src/kit/single-flight.js'
import { silentLogger } from '../../src/kit/log.js'
import { memoryProvider } from '../helpers/memory-provider.js'

const spec = { id: 'm' }
let db: Db
let box: SecretBox
let now: number
let pool: CredentialPool
let web: ProviderInstance
let credit: ProviderInstance

async function setup(concurrency = 1) {
  db = openDatabase(join(mkdtempSync(join(tmpdir(), 'fw-pool-')), 'p.db'))
  box = new SecretBox('k'.repeat(32))
  now = 1_000_000
  const config = buildConfig({ providers: { 'mem-web': { concurrency } } }, {})
  pool = new CredentialPool(db, box, config.pool, silentLogger, () => now)
  await pool.load()
  const instances = buildProviders([memoryProvider('mem-web', [spec]).def, memoryProvider('credit-web', [spec], { canServe: true }).def], config)
  web = instances.get('mem-web')!
  credit = instances.get('credit-web')!
}
const add = async (secret: string, provider = 'mem-web') => (await pool.store.insert({ provider, secret })).id
const pick = (instance = web, exclude: number[] = [], prefer?: number) =>
  pool.acquire(instance, { spec, exclude: new Set(exclude), ...(prefer ? { prefer } : {}) })

beforeEach(() => setup())

describe('CredentialPool', () => {
  it('picks the least recently used healthy credential', async () => {
    const [a, b] = [(await add('a')), (await add('b'))]
    const first = pick()!
    now += 10
    pool.release(first, 'ok')
    const second = pick()!
    expect([first.view.id, second.view.id]).toEqual([a, b])
    now += 10
    pool.release(second, 'ok')
    expect(pick()!.view.id).toBe(a)
  })

  it('prefers the credential that holds a conversation', async () => {
    const [, b] = [(await add('a')), (await add('b'))]
    expect(pick(web, [], b)!.view.id).toBe(b)
  })

  it('limits concurrent calls per credential and frees the slot on release', async () => {
    await add('only')
    const lease = pick()!
    expect(pick()).toBeUndefined()
    expect(pool.summary(web, spec, new Set())).toBe('1 busy')
    pool.release(lease, 'aborted')
    expect(pick()).toBeDefined()
  })

  it('marks an invalid credential and never picks it again until a probe heals it', async () => {
    const id = await add('dead')
    pool.release(pick()!, credentialInvalid('token expired'))
    expect(pool.find(id)).toMatchObject({ status: 'invalid', lastError: 'token expired', failures: 1 })
    now += 10 * 3600_000
    expect(pick()).toBeUndefined()
    pool.applyHealth(id, { ok: true, account: 'me' })
    expect(pool.find(id)).toMatchObject({ status: 'active', account: 'me', failures: 0 })
    expect(pick()!.view.id).toBe(id)
  })

  it('cools a rate-limited credential for Retry-After, then brings it back', async () => {
    const id = await add('limited')
    pool.release(pick()!, rateLimited('slow down', { retryAfterMs: 30_000 }))
    expect(pool.find(id)).toMatchObject({ status: 'cooling', cooldownUntil: now + 30_000 })
    expect(pick()).toBeUndefined()
    expect(pool.summary(web, spec, new Set())).toBe('1 cooling')
    now += 30_001
    const back = pick()!
    expect(back.view.id).toBe(id)
    expect(pool.find(id)!.status).toBe('active')
  })

  it('backs off exponentially without Retry-After, and long on exhausted quota', async () => {
    const id = await add('x')
    pool.release(pick()!, rateLimited('r'))
    expect(pool.find(id)!.cooldownUntil).toBe(now + 60_000)
    now += 60_001
    pool.release(pick()!, rateLimited('r'))
    expect(pool.find(id)!.cooldownUntil).toBe(now + 120_000)
    now += 120_001
    pool.release(pick()!, quotaExhausted('no credit'))
    expect(pool.find(id)!.cooldownUntil).toBe(now + 3600_000)
  })

  it('cools the credential for that model only after repeated transient failures, and ignores client errors', async () => {
    const id = await add('flaky')
    for (let i = 0; i < 2; i++) pool.release(pick()!, upstreamUnavailable('502'))
    expect(pool.coolingModels(id)).toEqual([])
    pool.release(pick()!, invalidRequest('bad prompt'))
    pool.release(pick()!, upstreamUnavailable('502'))
    // Transient failures act on the pair: the credential itself stays active for other models.
    expect(pool.find(id)).toMatchObject({ status: 'active', failures: 0, lastError: '502' })
    expect(pool.coolingModels(id)).toEqual([{ model: 'm', failures: 3, until: now + 60_000 }])
  })

  it('persists status so a restarted pool remembers it', async () => {
    const id = await add('dead')
    pool.release(pick()!, credentialInvalid('gone'))
    await pool.flushTouches() // what the pool wrote behind is stored before a 'restart'
    const fresh = new CredentialPool(db, box, buildConfig({}, {}).pool, silentLogger, () => now)
    await fresh.load()
    expect(fresh.entries('mem-web')[0]).toMatchObject({ id, status: 'invalid' })
  })

  it('skips credentials that cannot afford the model on credit-aware providers', async () => {
    const [poor, rich] = [(await add('poor', 'credit-web')), (await add('rich', 'credit-web'))]
    pool.store.update(pool.find(poor)!, { credit: 3 })
    pool.store.update(pool.find(rich)!, { credit: 50 })
    expect(pick(credit)!.view.id).toBe(rich)
    expect(pool.summary(credit, spec, new Set())).toBe('1 without enough credit, 1 busy')
  })

  it('keeps provider state across leases', async () => {
    await add('s')
    const lease = pick()!
    lease.saveState({ accessToken: 'at-1' })
    pool.release(lease, 'ok')
    await pool.flushTouches() // what the pool wrote behind is stored before a 'restart'
    const again = new CredentialPool(db, box, buildConfig({}, {}).pool, silentLogger, () => now)
    await again.load()
    expect(again.acquire(web, { spec, exclude: new Set() })!.view.state).toEqual({ accessToken: 'at-1' })
  })
})

describe('SingleFlight', () => {
  it('shares one refresh among concurrent callers, then allows a new one', async () => {
    const flight = new SingleFlight<string>()
    let calls = 0
    const refresh = () => flight.run('cred-1', async () => `token-${++calls}`)
    expect(await Promise.all(Array.from({ length: 20 }, refresh))).toEqual(Array(20).fill('token-1'))
    expect(await refresh()).toBe('token-2')
  })
})
