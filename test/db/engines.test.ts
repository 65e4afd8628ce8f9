// The repositories and the money on every engine: SQLite, PostgreSQL and MySQL/MariaDB, each on a
// database of its own made for this run (test/helpers/databases.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Billing, InsufficientQuota } from '../../src/core/billing.js'
import { UsageRecorder } from '../../src/core/usage-recorder.js'
import { buildConfig } from '../../src/config/load.js'
import type { Db } from '../../src/db/client.js'
import { conversationFinder, pruneConversations, saveConversation } from '../../src/db/conversations.repo.js'
import { findDuplicate, insertCredential, listCredentials, updateCredential } from '../../src/db/credentials.repo.js'
import { findIdempotent, saveIdempotent } from '../../src/db/idempotency.repo.js'
import { countKeys, deleteKey, findKeyByHash, insertKey, updateKey } from '../../src/db/keys.repo.js'
import { listRuntimeSettings, saveRuntimeSetting } from '../../src/db/mcp.repo.js'
import { insertRecords, listRecords, softDeleteRecords } from '../../src/db/records.repo.js'
import { findResponseLink, insertStoredResponse } from '../../src/db/responses.repo.js'
import { SecretBox } from '../../src/db/secret-box.js'
import { claimSession, findSession, insertSession } from '../../src/db/sessions.repo.js'
import { hourlyTraffic, topBy } from '../../src/db/stats.repo.js'
import { findTask, insertTask, updateTask } from '../../src/db/tasks.repo.js'
import { findUsageByRequest, insertUsageBatch, listUsage } from '../../src/db/usage.repo.js'
import { findUser, grantTokens, holdsOf, listUsers, setMode, setUserLimits } from '../../src/db/users.repo.js'
import { silentLogger } from '../../src/kit/log.js'
import { ENGINES, type TestDatabase, createTestDatabase } from '../helpers/databases.js'

const billingFor = (db: Db, instanceId = 'test') => {
  const config = buildConfig({}, {}).billing
  return new Billing(db, config, new UsageRecorder(db, silentLogger), silentLogger, instanceId)
}
const usageRow = (requestId: string, at = Date.now()) => ({ requestId, createdAt: at, model: 'm', stream: false, latencyMs: 1, status: 200 })

describe.each(ENGINES)('on %s', (engine) => {
  let database: TestDatabase
  let db: Db
  beforeAll(async () => {
    database = await createTestDatabase(engine)
    db = await database.open()
  }, 60_000)
  afterAll(async () => {
    await database?.drop()
  })

  it('keys: insert returns the stored row, lookups, update, delete, count', async () => {
    const row = await insertKey(db, { keyHash: 'h1', prefix: 'sk-fw-', suffix: 'abcd', allowedModels: ['a', 'b'] })
    expect(row).toMatchObject({ id: expect.any(Number), remark: '', enabled: true, actForOthers: false, allowedModels: ['a', 'b'] })
    expect(row.createdAt).toBeGreaterThan(Date.now() - 60_000)
    expect(await findKeyByHash(db, 'h1')).toEqual(row)
    expect(await findKeyByHash(db, 'H1')).toBeUndefined() // keys compare exactly, on MySQL too
    expect(await updateKey(db, row.id, { remark: 'r', enabled: false })).toMatchObject({ remark: 'r', enabled: false, allowedModels: ['a', 'b'] })
    expect(await countKeys(db)).toBe(1)
    expect(await deleteKey(db, row.id)).toBe(true)
    expect(await deleteKey(db, row.id)).toBe(false)
  })

  it('credentials: sealed, found by hash, patched', async () => {
    const box = new SecretBox('a test key of enough length')
    const c = await insertCredential(db, box, { provider: 'p', secret: 'sk-secret-1234' })
    expect(c).toMatchObject({ provider: 'p', secret: 'sk-secret-1234', secretTail: '1234', status: 'active', verified: false, state: {} })
    expect(await updateCredential(db, box, c.id, { status: 'cooling', cooldownUntil: 5, credit: 1.5, state: { t: 1 } })).toEqual(expect.any(Number))
    expect((await listCredentials(db, box, 'p'))[0]).toMatchObject({ status: 'cooling', cooldownUntil: 5, credit: 1.5, state: { t: 1 } })
    expect((await findDuplicate(db, 'p', 'sk-secret-1234'))?.id).toBe(c.id)
    expect(await updateCredential(db, box, 999_999, { remark: 'x' })).toBeUndefined()
  })

  it('users: grants add up, upserts keep the other columns, LIKE takes % _ ! literally', async () => {
    await grantTokens(db, 'a_b', 10)
    expect(await grantTokens(db, 'a_b', 5)).toMatchObject({ token: 15, availToken: 15 })
    expect(await setMode(db, 'a_b', 'gpt')).toMatchObject({ mode: 'gpt', token: 15 })
    expect(await setUserLimits(db, 'a_b', { rpm: 2 })).toMatchObject({ limits: { rpm: 2 }, mode: 'gpt' })
    for (const u of ['axb', 'a%b', 'a!b']) await grantTokens(db, u, 1)
    const ids = async (q: string) => (await listUsers(db, { offset: 0, limit: 10, userId: q })).list.map((u) => u.userId).sort()
    expect(await ids('a_b')).toEqual(['a_b'])
    expect(await ids('a%b')).toEqual(['a%b'])
    expect(await ids('a!b')).toEqual(['a!b'])
    expect((await listUsers(db, { offset: 0, limit: 2 })).total).toBe(4)
  })

  it('usage and records: batches, duplicates ignored, filters, soft delete', async () => {
    await insertUsageBatch(db, [usageRow('u-1'), usageRow('u-2')])
    await insertUsageBatch(db, [usageRow('u-1'), usageRow('u-3')]) // u-1 again: ignored
    expect((await listUsage(db, { limit: 10 })).map((u) => u.requestId)).toEqual(['u-3', 'u-2', 'u-1'])
    expect(await findUsageByRequest(db, 'u-2')).toMatchObject({ stream: false, estimated: false, charged: 0, promptTokens: 0 })
    await insertRecords(db, [
      { userId: 'rec', recordType: 1, createdAt: 1, model: 'm1', toolCalls: [{ id: 'c' }] },
      { userId: 'rec', recordType: 2, createdAt: 2, servedModel: 'm1' },
      { userId: 'other', recordType: 1, createdAt: 3 },
    ])
    const { list, total } = await listRecords(db, { offset: 0, limit: 10, userId: 'rec', model: 'm1' })
    expect(total).toBe(2)
    expect(list.map((r) => r.recordType)).toEqual([2, 1])
    expect(list[1]).toMatchObject({ question: '', answer: '', content: '', token: 0, isDeleted: false, toolCalls: [{ id: 'c' }] })
    expect(await softDeleteRecords(db, [list[0]!.id, 999_999])).toBe(1)
    expect((await listRecords(db, { offset: 0, limit: 10, userId: 'rec', isDeleted: true })).total).toBe(1)
  })

  it('stats: hourly buckets with integer hours, top users', async () => {
    const hour = 3_600_000
    const base = Math.floor(Date.now() / hour) * hour - 2 * hour
    await insertUsageBatch(db, [
      { ...usageRow('s-1', base + 5), userId: 'top', promptTokens: 3, completionTokens: 4 },
      { ...usageRow('s-2', base + hour + 7), userId: 'top', promptTokens: 1, completionTokens: 1, status: 502 },
    ])
    const buckets = await hourlyTraffic(db, base, base + hour)
    expect(buckets).toEqual([
      { hour: base, requests: 1, promptTokens: 3, completionTokens: 4, errors: 0 },
      { hour: base + hour, requests: 1, promptTokens: 1, completionTokens: 1, errors: 1 },
    ])
    expect((await topBy(db, 'user', base, 5))[0]).toEqual({ name: 'top', requests: 2, tokens: 9 })
  })

  it('sessions, conversations, responses, tasks, settings, idempotency', async () => {
    const session = { sessionId: 's1', userId: null, keyId: 7, model: null, conversationId: null, messages: [], busyUntil: null, lastActivity: 1, createdAt: 1 }
    expect(await insertSession(db, session)).toBe(true)
    expect(await insertSession(db, session)).toBe(false)
    expect(await claimSession(db, 's1', 10, 100)).toBe(true)
    expect(await claimSession(db, 's1', 20, 200)).toBe(false)
    expect(await findSession(db, 's1')).toMatchObject({ busyUntil: 100, messages: [] })

    const conv = { provider: 'web', credentialId: 1, historyHash: 'h', conversationId: 'c1', parentId: null, updatedAt: 5 }
    await saveConversation(db, conv)
    await saveConversation(db, { ...conv, conversationId: 'c2', parentId: 'p' })
    expect(await conversationFinder(db)('web', 'h')).toEqual({ credentialId: 1, conversationId: 'c2', parentId: 'p' })
    expect((await pruneConversations(db, 6)).map((r) => r.conversationId)).toEqual(['c2'])

    const response = { id: 'resp_1', userId: null, keyId: 1, previousId: null, inputItems: [], messages: [{ role: 'user' }], output: [], response: { a: 1 }, createdAt: 1 }
    await insertStoredResponse(db, response)
    expect(await findResponseLink(db, 'resp_1')).toEqual({ id: 'resp_1', userId: null, keyId: 1, previousId: null })

    const task = await insertTask(db, { id: 'video_1', userId: 'u', keyId: null, requestId: 'r', kind: 'video', model: 'm', status: 'queued', request: { prompt: 'x' }, recordType: 5, createdAt: 1, updatedAt: 1 })
    expect(task).toMatchObject({ progress: 0, polls: 0, charged: 0, state: null, request: { prompt: 'x' } })
    await updateTask(db, 'video_1', { status: 'in_progress', state: { job: 'j' } })
    expect(await findTask(db, 'video_1')).toMatchObject({ status: 'in_progress', state: { job: 'j' } })

    await saveRuntimeSetting(db, 'a.b', 'text')
    await saveRuntimeSetting(db, 'a.b', 3)
    expect(await listRuntimeSettings(db)).toEqual([{ path: 'a.b', value: 3 }])

    await saveIdempotent(db, { scope: 's', key: 'k', bodyHash: 'b', response: { ok: true }, createdAt: 1 })
    expect(await findIdempotent(db, 's', 'k')).toMatchObject({ response: { ok: true } })
  })

  it('billing: reserve, settle, give back; a failed reservation changes nothing', async () => {
    const billing = billingFor(db)
    await grantTokens(db, 'payer', 30)
    const hold = await billing.reserve('payer', 'b-1', 20)
    expect((await findUser(db, 'payer'))!.availToken).toBe(10)
    await expect(billing.reserve('payer', 'b-2', 11)).rejects.toBeInstanceOf(InsufficientQuota)
    const usage = { promptTokens: 40, completionTokens: 0, estimated: false }
    const charged = await billing.settle({ userId: 'payer', hold, price: { prompt: 1000, completion: 0, per_call: 0 }, usage, usageRow: usageRow('b-1'), record: { recordType: 1, createdAt: 1 } })
    expect(charged).toBe(30)
    expect((await findUser(db, 'payer'))!.availToken).toBe(0)
    expect(await findUsageByRequest(db, 'b-1')).toMatchObject({ charged: 30, userId: null })
    expect(await holdsOf(db, 'payer')).toEqual([])
    await grantTokens(db, 'payer', 5)
    await billing.reserve('payer', 'b-3', 5)
    expect(await billing.releaseLeftBehind()).toBe(1)
    expect((await findUser(db, 'payer'))!.availToken).toBe(5)
  })

  it('a transaction that throws leaves nothing behind, and a write waits for it instead of joining it', async () => {
    await grantTokens(db, 'tx', 1)
    const failing = db.transaction(async (tx) => {
      await grantTokens(tx, 'tx', 100)
      await new Promise((r) => setTimeout(r, 20))
      throw new Error('no')
    })
    const outside = grantTokens(db, 'tx', 2) // issued while the transaction is open
    await expect(failing).rejects.toThrow('no')
    await outside
    expect((await findUser(db, 'tx'))!.availToken).toBe(3)
  })
})

describe.each(['postgres', 'mysql'] as const)('two instances on one %s database', (engine) => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase(engine)
  }, 60_000)
  afterAll(async () => {
    await database?.drop()
  })

  it('start together on a fresh database: both migrate (one waits for the other) and both work', async () => {
    const [a, b] = await Promise.all([database.open(), database.open()])
    await grantTokens(a, 'both', 1)
    expect((await findUser(b, 'both'))!.availToken).toBe(1)
  })

  it('reserving in parallel against a small balance never overspends', async () => {
    const [a, b] = [await database.open(), await database.open()]
    const [first, second] = [billingFor(a, 'instance-a'), billingFor(b, 'instance-b')]
    await grantTokens(a, 'small', 10)
    const attempts = Array.from({ length: 30 }, (_, i) => ((i % 2 ? first : second).reserve('small', `p-${i}`, 1)).then(
      () => 'held',
      (err: unknown) => (err instanceof InsufficientQuota ? 'refused' : Promise.reject(err)),
    ))
    const outcomes = await Promise.all(attempts)
    expect(outcomes.filter((o) => o === 'held')).toHaveLength(10)
    expect((await findUser(b, 'small'))!.availToken).toBe(0)
    expect((await holdsOf(a, 'small')).reduce((sum, h) => sum + h.amount, 0)).toBe(10)
  })
})
