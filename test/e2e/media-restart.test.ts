// A relay killed mid-task: the next start on the same database polls the task on, finishes it
// and bills it exactly once (one charge, one usage row, one record).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { listUsage } from '../../src/db/usage.repo.js'
import { FakeOpenAIMedia } from '../fakes/openai-media.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor, waitFor } from '../helpers/compat.js'
import { mediaPrices, mediaProvider } from '../helpers/media.js'
import { sqliteOf } from '../../src/db/client.js'

const SECRET = 'admin-secret-for-tests'
const dir = mkdtempSync(join(tmpdir(), 'freeway-restart-'))
const fakeReady = new FakeOpenAIMedia().start()
const apps: TestApp[] = []

const start = async () => {
  const fake = await fakeReady
  const app = await startTestApp({
    databasePath: join(dir, 'freeway.db'),
    config: {
      admin: { secret: SECRET },
      providers: { media: mediaProvider(fake.url) },
      billing: { prices: mediaPrices },
      tasks: { poll_interval_ms: 10, max_poll_interval_ms: 30 },
    },
  })
  apps.push(app)
  return app
}

afterAll(async () => {
  for (const app of apps) await app.close()
  await (await fakeReady).close()
  rmSync(dir, { recursive: true, force: true })
})

it('finishes a task the last run left running and bills it once', async () => {
  const fake = await fakeReady
  fake.hold = true
  const first = await start()
  const key = await keyFor(first, 'rex', {}, SECRET)
  await call(first, 'POST', '/user/token/add', { user_id: 'rex', token: 100 }, { authorization: SECRET })
  const created = await first.openai(key).videos.create({ model: 'vid-1', prompt: 'rain', seconds: '4' })
  await waitFor(() => fake.polls >= 2)
  await first.close()
  const pollsBefore = fake.polls

  fake.hold = false
  const second = await start()
  const client = second.openai(key)
  await waitFor(async () => (await client.videos.retrieve(created.id)).status === 'completed')
  expect(fake.polls).toBeGreaterThan(pollsBefore)
  await second.services.tasks.idle()
  await second.services.recorder.flush()
  await second.services.billing.flush()

  const user = (await call(second, 'GET', '/user/list?user_id=rex', undefined, { authorization: SECRET })).json.data.list[0]
  expect(user).toMatchObject({ token: 100, avail_token: 94 }) // 4 s × 1.5
  const records = (await call(second, 'GET', '/record/list?user_id=rex&page=1&pageSize=10', undefined, { authorization: SECRET })).json.data
  expect(records.total).toBe(1)
  expect(records.list[0]).toMatchObject({ record_type: 5, token: 6 })
  const usage = (await listUsage(second.services.db)).filter((u) => u.userId === 'rex')
  expect(usage).toHaveLength(1)
  expect(usage[0]).toMatchObject({ charged: 6, status: 200 })
  // Nothing is left held for the task.
  expect(sqliteOf(second.services.db).prepare('select count(*) as n from billing_holds').get()).toEqual({ n: 0 })
})
