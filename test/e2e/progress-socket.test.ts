// The seed's public progress socket through the running relay: video tasks submitted on /v1/videos
// and on the seed's video route (with chat_id) against the fake OpenAI media upstream, their
// progress seen live on every socket registered for the user (and, when given, the chat).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { FakeOpenAIMedia } from '../fakes/openai-media.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor, waitFor } from '../helpers/compat.js'
import { mediaPrices, mediaProvider } from '../helpers/media.js'
import { type TestSocket, openSocket } from '../helpers/ws-client.js'

const SECRET = 'admin-secret-for-tests'
const PROGRESS = '/cozeZhsApi/public-socket/ws'
let fake: FakeOpenAIMedia
let app: TestApp
const sockets: TestSocket[] = []

beforeAll(async () => {
  fake = await new FakeOpenAIMedia().start()
  app = await startTestApp({
    config: {
      admin: { secret: SECRET },
      providers: {
        media: mediaProvider(fake.url),
        luyala: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-media', models: [{ id: 'luyala-video', upstream: 'vid-1', kind: 'video' }] },
      },
      billing: { prices: { ...mediaPrices, 'luyala-video': { per_call: 3 } } },
      tasks: { poll_interval_ms: 10, max_poll_interval_ms: 30, wait_ms: 4000 },
    },
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
async function userKey(user: string, tokens: number): Promise<string> {
  const key = await keyFor(app, user, {}, SECRET)
  await admin('POST', '/user/token/add', { user_id: user, token: tokens })
  return key
}
async function register(key: string, user: string, chatId?: string): Promise<TestSocket> {
  const s = await openSocket(`${app.url.replace('http', 'ws')}${PROGRESS}?key=${key}`)
  sockets.push(s)
  s.send({ event: 'register', user_uuid: user, model_id: 'vid-1', ...(chatId ? { chat_id: chatId } : {}) })
  await s.next((m) => m.event === 'registered' || m.type === 'error')
  return s
}
const progressOf = (s: TestSocket, id: string) => s.messages.filter((m) => m.event === 'progress' && m.task_id === id)

describe('progress socket', () => {
  it('answers ping, and streams a /v1/videos task from queued to completed with its URL to every socket of the user', async () => {
    const key = await userKey('pia', 100)
    const a = await register(key, 'pia')
    const b = await register(key, 'pia')
    expect(a.messages[0]).toEqual({ event: 'registered', user_uuid: 'pia', model_id: 'vid-1', chat_id: null })
    a.send({ event: 'ping' })
    await a.next((m) => m.event === 'pong')
    const created = await app.openai(key).videos.create({ model: 'vid-1', prompt: 'waves', seconds: '4' })
    for (const s of [a, b]) {
      const done = await s.next((m) => m.event === 'progress' && m.task_id === created.id && m.status === 'completed')
      expect(done).toMatchObject({ progress: 100, data: { kind: 'video', model: 'vid-1', url: expect.stringMatching(new RegExp(`^${fake.url}/files/`)) } })
      const seen = progressOf(s, created.id).map((m) => m.status)
      expect(seen[0]).toBe('queued')
      expect(seen).toContain('in_progress')
      const running = progressOf(s, created.id).filter((m) => m.status === 'in_progress')
      for (const m of running) expect(m.progress).toBeGreaterThan(0)
    }
  })

  it('a failed task arrives with its msg', async () => {
    const key = await userKey('fio', 100)
    const s = await register(key, 'fio')
    const created = await app.openai(key).videos.create({ model: 'vid-fail', prompt: 'x', seconds: '4' })
    const failed = await s.next((m) => m.task_id === created.id && m.status === 'failed')
    expect(failed.data.msg).toMatch(/the video was blocked/)
  })

  it('a socket registered with a chat_id sees only that chat; other users see nothing', async () => {
    const key = await userKey('cai', 100)
    const chat9 = await register(key, 'cai', 'chat-9')
    const chat8 = await register(key, 'cai', 'chat-8')
    const stranger = await register(await userKey('sol', 0), 'sol')
    const res = await call(app, 'POST', '/cozeZhsApi/luyala/video/create', { user_uuid: 'cai', chat_id: 'chat-9', prompt: 'a cat', duration: 4 }, { authorization: SECRET })
    expect(res.json.code).toBe(0)
    const taskId = res.json.data.task_id
    const done = await chat9.next((m) => m.task_id === taskId && m.status === 'completed')
    expect(done.data).toMatchObject({ chat_id: 'chat-9', url: res.json.data.video_url })
    expect(progressOf(chat8, taskId)).toEqual([])
    expect(progressOf(stranger, taskId)).toEqual([])
  })

  it('a key may follow only its own user unless it may act for others', async () => {
    await userKey('ned', 0)
    const other = await userKey('oli', 0)
    const s = await register(other, 'ned')
    expect(s.messages.at(-1)).toMatchObject({ type: 'error', data: { code: 403 } })
    const bad = await openSocket(`${app.url.replace('http', 'ws')}${PROGRESS}?key=wrong`)
    sockets.push(bad)
    expect((await bad.next((m) => m.type === 'error')).data.code).toBe(401)
    expect((await bad.closed).code).toBe(1008)
  })
})
