// The seed's video synthesis socket through the running relay against the fake DashScope (its
// async task protocol): progress messages, a done with the video URL, billing and the record,
// the progress socket seeing the same task, a failed task, 402 and the one-at-a-time rule.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DASHSCOPE_KEY, FAIL_PROMPT, type FakeDashScope, startFakeDashScope } from '../fakes/dashscope-api.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor, waitFor } from '../helpers/compat.js'
import { type TestSocket, openSocket } from '../helpers/ws-client.js'

const SECRET = 'admin-secret-for-tests'
const VIDEO = '/cozeZhsApi/dashscope/video-synthesis/ws'
let fake: FakeDashScope
let app: TestApp
const sockets: TestSocket[] = []

beforeAll(async () => {
  fake = await startFakeDashScope()
  app = await startTestApp({
    config: {
      admin: { secret: SECRET },
      providers: { 'dashscope-api': { base_url: fake.url } },
      billing: { prices: { 'wan2.5-t2v-preview': { per_call: 4 } } },
      tasks: { poll_interval_ms: 10, max_poll_interval_ms: 30 },
    },
    env: { DASHSCOPE_API_KEY: DASHSCOPE_KEY },
  })
})
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate()
  await waitFor(() => app.app.sockets.open === 0)
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const admin = (method: string, path: string, body?: unknown) => call(app, method, path, body, { authorization: SECRET })
const avail = async (id: string) => (await admin('GET', `/user/list?user_id=${id}`)).json.data.list.find((u: any) => u.user_id === id).avail_token
async function connect(user: string, tokens: number, path = VIDEO): Promise<TestSocket> {
  const key = await keyFor(app, user, {}, SECRET)
  await admin('POST', '/user/token/add', { user_id: user, token: tokens })
  const s = await openSocket(`${app.url.replace('http', 'ws')}${path}?key=${key}&user_uuid=${user}`)
  sockets.push(s)
  return s
}

describe('video synthesis socket', () => {
  it('makes a video: progress messages, then done with the URL; billed once with a record; the progress socket sees it', async () => {
    const s = await connect('vera', 10)
    const watcher = await connect('vera', 0, '/cozeZhsApi/public-socket/ws')
    watcher.send({ event: 'register', user_uuid: 'vera', model_id: 'wan2.5-t2v-preview', chat_id: 'c7' })
    await watcher.next((m) => m.event === 'registered')
    s.send({ type: 'ping' })
    await s.next((m) => m.type === 'pong')
    s.send({ type: 'video_synthesis', data: { prompt: '海浪', chat_id: 'c7' } })
    const done = await s.next((m) => m.type === 'done')
    expect(done.data).toMatchObject({ video_url: expect.stringMatching(/^https:\/\/dashscope-result\.example\/.+\.mp4$/), chat_id: 'c7', task_id: expect.stringMatching(/^video_/) })
    const progress = s.messages.filter((m) => m.type === 'progress')
    expect(progress[0]).toMatchObject({ data: { task_id: done.data.task_id, status: 'queued', chat_id: 'c7' } })
    expect(progress.map((m) => m.data.status)).toContain('in_progress')
    const sent = fake.requests.find((r) => r.path.endsWith('/video-synthesis'))!
    expect(sent.body).toMatchObject({ model: 'wan2.5-t2v-preview', input: { prompt: '海浪' } })
    expect(await avail('vera')).toBe(6)
    const records = (await admin('GET', '/record/list?user_id=vera&page=1&pageSize=10')).json.data
    expect(records.list[0]).toMatchObject({ record_type: 5, token: 4, question: '海浪' })
    const seen = await watcher.next((m) => m.task_id === done.data.task_id && m.status === 'completed')
    expect(seen.data.url).toBe(done.data.video_url)
  })

  it('a failed task ends with an error and costs nothing; 402 before the upstream when the balance is short', async () => {
    const s = await connect('fern', 10)
    s.send({ type: 'video_synthesis', data: { prompt: `x ${FAIL_PROMPT}` } })
    expect((await s.next((m) => m.type === 'error')).data).toMatchObject({ code: 502, msg: expect.stringContaining('failed') })
    expect(await avail('fern')).toBe(10)
    const poor = await connect('pete', 1)
    const before = fake.requests.length
    poor.send({ type: 'video_synthesis', data: { prompt: 'x' } })
    expect((await poor.next((m) => m.type === 'error')).data.code).toBe(402)
    expect(fake.requests.length).toBe(before)
  })

  it('one video at a time per socket; a bad message is a 400', async () => {
    const s = await connect('otto', 20)
    s.send({ type: 'video_synthesis', data: { prompt: 'one' } })
    s.send({ type: 'video_synthesis', data: { prompt: 'two' } })
    expect((await s.next((m) => m.type === 'error')).data.code).toBe(409)
    await s.next((m) => m.type === 'done')
    s.send({ type: 'video_synthesis', data: {} })
    expect((await s.next((m) => m.type === 'error' && m.data.code === 400)).data.msg).toMatch(/prompt/)
  })
})
