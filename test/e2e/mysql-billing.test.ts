// The basic chat-and-bill flow with MySQL/MariaDB as the database (MYSQL_DSN in Go's form, as
// HixAI2Api sets it): the app migrates a fresh database, a chat is answered by the fake upstream,
// the user's balance drops by the price and the record and usage row carry the charge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findUsageByRequest } from '../../src/db/usage.repo.js'
import { findUser } from '../../src/db/users.repo.js'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor } from '../helpers/compat.js'
import { type TestDatabase, createTestDatabase } from '../helpers/databases.js'

const SECRET = 'admin-secret-for-tests'
let fake: FakeOpenAI
let app: TestApp
let database: TestDatabase

beforeAll(async () => {
  database = await createTestDatabase('mysql')
  const name = new URL(database.url!).pathname.slice(1)
  fake = await startFakeOpenAI()
  app = await startTestApp({
    env: { MYSQL_DSN: `root:@tcp(127.0.0.1:3306)/${name}?parseTime=true` },
    config: {
      admin: { secret: SECRET },
      providers: { upstream: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] } },
      billing: { prices: { 'fake-model': { per_call: 20 } } },
    },
  })
}, 60_000)
afterAll(async () => {
  await app?.close()
  await fake?.close()
  await database?.drop()
})

describe('on MySQL', () => {
  it('chats, bills the balance and records the charge', async () => {
    expect(app.services.db.dialect).toBe('mysql')
    const client = app.openai(await keyFor(app, 'mia', {}, SECRET))
    expect((await call(app, 'POST', '/user/token/add', { user_id: 'mia', token: 100 }, { authorization: SECRET })).json.data).toMatchObject({ avail_token: 100 })
    const res = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] })
    expect(res.choices[0]!.message.content).toBe(FAKE_ANSWER.join(''))
    expect((await findUser(app.services.db, 'mia'))!.availToken).toBe(80)
    const records = (await call(app, 'GET', '/record/list?user_id=mia', undefined, { authorization: SECRET })).json.data
    expect(records.total).toBe(1)
    expect(records.list[0]).toMatchObject({ user_id: 'mia', token: 20, model: 'fake-model' })
    expect(await findUsageByRequest(app.services.db, records.list[0].request_id)).toMatchObject({ userId: 'mia', charged: 20, status: 200 })
  })
})
