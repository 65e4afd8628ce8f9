// The seed's media routes through the generic door: envelope, user_uuid billing, chat_id on the
// record, zidingyican to the vendor, auth (admin secret or a key that may act for the user), 402
// before the upstream and 408 when the route's wait runs out.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { FakeOpenAIMedia } from '../fakes/openai-media.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor, waitFor } from '../helpers/compat.js'
import { sqliteOf } from '../../src/db/client.js'

const SECRET = 'admin-secret-for-tests'
const PATH = '/cozeZhsApi/luyala/video/create'
let fake: FakeOpenAIMedia
let app: TestApp

beforeAll(async () => {
  fake = await new FakeOpenAIMedia().start()
  app = await startTestApp({
    config: {
      admin: { secret: SECRET },
      providers: {
        luyala: {
          type: 'openai-compatible',
          base_url: `${fake.url}/v1`,
          api_key: 'sk-media',
          models: [{ id: 'luyala-video', upstream: 'vid-1', kind: 'video' }],
        },
      },
      billing: { prices: { 'luyala-video': { per_call: 3 } } },
      tasks: { poll_interval_ms: 10, max_poll_interval_ms: 30, wait_ms: 4000 },
    },
  })
  await call(app, 'POST', '/user/token/add', { user_id: 'sam', token: 10 }, { authorization: SECRET })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const post = (body: unknown, auth = SECRET) => call(app, 'POST', PATH, body, { authorization: auth })
const avail = async (id: string) =>
  (await call(app, 'GET', `/user/list?user_id=${id}`, undefined, { authorization: SECRET })).json.data.list[0]?.avail_token

it('answers when the video is done, bills user_uuid, keeps chat_id and passes zidingyican on', async () => {
  const res = await post({ user_uuid: 'sam', chat_id: 'chat-9', prompt: 'a cat', duration: 4, zidingyican: [{ name: 'watermark', value: 'false' }] })
  expect(res.status).toBe(200)
  expect(res.json).toMatchObject({ code: 0, msg: 'success', data: { video_url: expect.stringMatching(/\.mp4$/), task_id: expect.stringMatching(/^video_/) } })
  expect(fake.requests.at(-1)!.fields).toMatchObject({ model: 'vid-1', prompt: 'a cat', seconds: '4', watermark: 'false' })
  expect(await avail('sam')).toBe(7)
  const row = sqliteOf(app.services.db).prepare('select chat_id, record_type, token from records where user_id = ?').get('sam')
  expect(row).toEqual({ chat_id: 'chat-9', record_type: 5, token: 3 })
})

it('requires user_uuid, and a key may act only for its own user unless allowed', async () => {
  expect((await post({ prompt: 'x' })).json).toEqual({ code: 400, msg: expect.stringContaining('user_uuid') })
  const own = await keyFor(app, 'sam', {}, SECRET)
  const other = await keyFor(app, 'zed', {}, SECRET)
  const denied = await post({ user_uuid: 'sam', prompt: 'x' }, `Bearer ${other}`)
  expect(denied.status).toBe(403)
  expect(denied.json.code).toBe(403)
  const mine = await post({ user_uuid: 'sam', prompt: 'x' }, `Bearer ${own}`)
  expect(mine.json.code).toBe(0)
  expect((await post({ user_uuid: 'sam', prompt: 'x' }, 'Bearer wrong')).status).toBe(401)
})

it('402 before any upstream call when the balance cannot cover the price', async () => {
  const before = fake.requests.length
  const res = await post({ user_uuid: 'nobody', prompt: 'x' })
  expect(res.status).toBe(402)
  expect(res.json).toMatchObject({ code: 402 })
  expect(fake.requests.length).toBe(before)
})

it('408 when the job outlives the route; the task still finishes and is billed once', async () => {
  await call(app, 'POST', '/user/token/add', { user_id: 'slow', token: 10 }, { authorization: SECRET })
  fake.hold = true
  const res = await post({ user_uuid: 'slow', prompt: 'long' })
  expect(res.status).toBe(408)
  expect(res.json).toMatchObject({ code: 408, msg: expect.stringContaining('task_id video_') })
  fake.hold = false
  await waitFor(async () => (await avail('slow')) === 7)
})
