// /communicate's /photo and /video through the media task engine, against the fake OpenAI media
// upstream: generation, an edit of an uploaded image, a video to its URL, each billed and recorded
// by the engine; a failed task is the stream's error and costs nothing; the commands that call no
// model leave their own records.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { FAKE_PNG, FakeOpenAIMedia } from '../fakes/openai-media.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor, sseData } from '../helpers/compat.js'
import { mediaPrices, mediaProvider } from '../helpers/media.js'
import { sqliteOf } from '../../src/db/client.js'

const SECRET = 'admin-secret-for-tests'
let fake: FakeOpenAIMedia
let app: TestApp

beforeAll(async () => {
  fake = await new FakeOpenAIMedia().start()
  app = await startTestApp({
    config: {
      admin: { secret: SECRET },
      providers: { media: mediaProvider(fake.url) },
      billing: { prices: mediaPrices },
      tasks: { poll_interval_ms: 10, max_poll_interval_ms: 30, wait_ms: 4000 },
      agents: { photo_model: 'img-1', video_model: 'vid-1' },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const admin = (method: string, path: string, body?: unknown) => call(app, method, path, body, { authorization: SECRET })
const avail = async (id: string) => (await admin('GET', `/user/list?user_id=${id}`)).json.data.list.find((u: any) => u.user_id === id).avail_token
const records = async (id: string) => (await admin('GET', `/record/list?user_id=${id}&page=1&pageSize=50`)).json.data
async function communicate(key: string, prompt: string, upload?: Buffer) {
  const res = await fetch(`${app.url}/communicate?${new URLSearchParams({ prompt })}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, ...(upload ? { 'content-type': 'image/png' } : {}) },
    ...(upload ? { body: upload } : {}),
  })
  const text = await res.text()
  return res.headers.get('content-type')?.startsWith('text/event-stream') ? { status: res.status, events: sseData(text) } : { status: res.status, json: JSON.parse(text) }
}
async function user(id: string, tokens: number) {
  const key = await keyFor(app, id, {}, SECRET)
  await admin('POST', '/user/token/add', { user_id: id, token: tokens })
  return key
}

it('/photo generates an image and, with an upload, edits it; billed per image with image records', async () => {
  const key = await user('pam', 20)
  const made = await communicate(key, '/photo a red fox')
  const messages = made.events!.filter((e: any) => e.type === 'message')
  expect(messages[0].data).toMatchObject({ task_id: expect.stringMatching(/^img_/) })
  expect(messages.at(-1)).toMatchObject({ content: expect.stringMatching(new RegExp(`^${fake.url}/files/img-`)), data: { status: 'completed', urls: [expect.any(String)] } })
  expect(fake.requests.at(-1)!.path).toBe('/v1/images/generations')
  const edited = await communicate(key, '/photo add a hat', FAKE_PNG)
  expect(edited.events!.at(-1)).toMatchObject({ type: 'message', data: { status: 'completed' } })
  expect(fake.requests.at(-1)!.path).toBe('/v1/images/edits')
  expect(await avail('pam')).toBe(16)
  const list = await records('pam')
  expect(list.list.map((r: any) => [r.record_type, r.token, r.question])).toEqual([
    [3, 2, 'add a hat'],
    [3, 2, 'a red fox'],
  ])
})

it('/video waits for the task and answers with the video URL; a failed one is an error that costs nothing', async () => {
  const key = await user('vin', 50)
  const res = await communicate(key, '/video waves')
  expect(res.events!.at(-1)).toMatchObject({ type: 'message', data: { status: 'completed', urls: [expect.stringContaining(fake.url)] } })
  expect((await records('vin')).list[0]).toMatchObject({ record_type: 5, question: 'waves' })
  expect(await avail('vin')).toBeLessThan(50)
  const before = await avail('vin')
  await app.services.runtime.update('video', 'communicate_model', 'vid-fail')
  const failed = await communicate(key, '/video blocked')
  expect(JSON.stringify(failed.events ?? failed.json)).toContain('the video was blocked')
  expect(await avail('vin')).toBe(before)
  expect((await communicate(key, '/video')).json).toMatchObject({ code: 400, msg: expect.stringContaining('needs a prompt') })
})

it('/balance, /state, /mode, /clear and /help each leave a record (type 8, nothing charged) in the user conversation', async () => {
  const key = await user('rex', 7)
  for (const c of ['/balance', '/state', '/mode chatty', '/clear', '/help']) expect((await communicate(key, c)).status).toBe(200)
  const list = (await records('rex')).list
  expect(list.map((r: any) => [r.record_type, r.token, r.question])).toEqual([
    [8, 0, '/help'],
    [8, 0, '/clear'],
    [8, 0, '/mode chatty'],
    [8, 0, '/state'],
    [8, 0, '/balance'],
  ])
  expect(list.at(-1)).toMatchObject({ answer: 'balance: 7 tokens' })
  const chats = sqliteOf(app.services.db).prepare('select distinct chat_id from records where user_id = ?').all('rex')
  expect(chats).toEqual([{ chat_id: 'communicate:user:rex' }])
  expect(await avail('rex')).toBe(7)
})
