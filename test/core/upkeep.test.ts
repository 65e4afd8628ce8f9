// Background upkeep: healing invalid credentials, pruning old conversations (and their upstream chats).
import { afterEach, describe, expect, it } from 'vitest'
import { providers } from '../../providers/index.js'
import { healAll } from '../../src/core/credential-service.js'
import { pruneOld } from '../../src/core/maintenance.js'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { memoryProvider } from '../helpers/memory-provider.js'
import { sqliteOf } from '../../src/db/client.js'

let app: TestApp | undefined
let fake: FakeOpenAI | undefined
afterEach(async () => {
  await app?.close()
  await fake?.close()
  app = fake = undefined
})

describe('healing', () => {
  it('re-tests invalid credentials and brings back the ones that work again', async () => {
    fake = await startFakeOpenAI([])
    app = await startTestApp({
      config: { providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, credentials: ['sk-revived'], models: ['fake-model'] } } },
    })
    const err = await app.openai().chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e)
    expect(err.status).toBe(503)
    expect(app.services.pool.entries('up')[0]!.status).toBe('invalid')
    expect(await healAll(app.services)).toBe(1)
    expect(app.services.pool.entries('up')[0]!.status).toBe('invalid')
    fake.validKeys.add('sk-revived') // the account was fixed upstream
    await healAll(app.services)
    expect(app.services.pool.entries('up')[0]).toMatchObject({ status: 'active', failures: 0, lastError: null })
    const ok = await app.openai().chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] })
    expect(ok.choices[0]!.message.content).toContain('你好')
  })
})

describe('pruning', () => {
  it('drops old conversation mappings and deletes upstream only chats nothing newer points at', async () => {
    const mem = memoryProvider('mem-web', [{ id: 'mem' }])
    app = await startTestApp({
      definitions: [...providers, mem.def],
      config: { records: { chat_max_days: 1 }, providers: { 'mem-web': { credentials: ['acct'] } } },
    })
    const client = app.openai()
    const first = await client.chat.completions.create({ model: 'mem', messages: [{ role: 'user', content: 'a' }] })
    const history = [
      { role: 'user' as const, content: 'a' },
      { role: 'assistant' as const, content: first.choices[0]!.message.content! },
      { role: 'user' as const, content: 'b' },
    ]
    await client.chat.completions.create({ model: 'mem', messages: history })
    const lone = await client.chat.completions.create({ model: 'mem', messages: [{ role: 'user', content: 'other' }] })
    const db = sqliteOf(app.services.db)
    const old = Date.now() - 3 * 86_400_000
    // Age the first turn of the continued chat and the lone chat; the second turn stays fresh.
    db.prepare('update conversations set updated_at = ? where id in (select min(id) from conversations group by conversation_id)').run(old)
    const result = await pruneOld(app.services)
    expect(result.conversations).toBe(2)
    expect(mem.deleted).toEqual([lone.id])
    expect(db.prepare('select conversation_id as c from conversations').all()).toEqual([{ c: first.id }])
  })

  it('keeps everything with CHAT_MAX_DAYS=-1', async () => {
    app = await startTestApp()
    expect(await pruneOld(app.services, Date.now() + 365 * 86_400_000)).toEqual({ usage: 0, records: 0, responses: 0, conversations: 0 })
  })
})
