// Every seed media route through its vendor's fake: the envelope and the route's own `data`, the
// user_uuid billed the route's price once, and one record of the route's type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARK_KEY, type FakeArk, startFakeArk } from '../fakes/ark-api.js'
import { DASHSCOPE_KEY, type FakeDashScope, TRANSCRIPT, startFakeDashScope } from '../fakes/dashscope-api.js'
import { type FakeJimeng, JIMENG_SECRET, JIMENG_VIDEO_URL, startFakeJimeng } from '../fakes/jimeng-api.js'
import { type FakeKling, KLING_SECRET, KLING_VIDEO_URL, startFakeKling } from '../fakes/kling-api.js'
import { type FakeSuno, SUNO_AUDIO_URLS, SUNO_TOKEN, startFakeSuno } from '../fakes/suno-api.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call } from '../helpers/compat.js'
import { sqliteOf } from '../../src/db/client.js'

const SECRET = 'admin-secret-for-tests'
const PRICED = [
  'doubao-seedance-1-0-pro-250528',
  'doubao-seedream-4-0-250828',
  'doubao-seededit-3-0-i2i-250628',
  'qwen-image-plus',
  'qwen-image',
  'wan2.5-t2i-preview',
  'wan2.5-i2i-preview',
  'qwen-image-edit',
  'qwen3-asr-flash',
  'jimeng_i2v_first_tail_v30',
  'jimeng_i2v_first_v30',
  'jimeng_i2v_recamera_v30',
  'jimeng_t2v_v30_1080p',
  'kling-o1',
  'suno-v3.5',
]
let dash: FakeDashScope
let ark: FakeArk
let jimeng: FakeJimeng
let kling: FakeKling
let suno: FakeSuno
let app: TestApp

beforeAll(async () => {
  ;[dash, ark, jimeng, kling, suno] = await Promise.all([startFakeDashScope(), startFakeArk(), startFakeJimeng(), startFakeKling(), startFakeSuno()])
  app = await startTestApp({
    config: {
      admin: { secret: SECRET },
      providers: {
        'dashscope-api': { base_url: dash.url, credentials: [DASHSCOPE_KEY] },
        'ark-api': { base_url: `${ark.url}/api/v3`, credentials: [ARK_KEY] },
        'jimeng-api': { base_url: jimeng.url, credentials: [JIMENG_SECRET] },
        'kling-api': { base_url: kling.url, credentials: [KLING_SECRET] },
        'suno-api': { base_url: suno.url, credentials: [SUNO_TOKEN] },
      },
      billing: { prices: Object.fromEntries(PRICED.map((m) => [m, { per_call: 5 }])) },
      tasks: { poll_interval_ms: 10, max_poll_interval_ms: 30, wait_ms: 8000 },
    },
  })
})
afterAll(async () => {
  await app?.close()
  await Promise.all([dash, ark, jimeng, kling, suno].map((f) => f?.close()))
})

let users = 0
/** Post as the admin for a fresh user holding 20 tokens; the answer, the user's balance after and their records. */
async function run(path: string, body: Record<string, unknown>) {
  const user = `seed-user-${++users}`
  await call(app, 'POST', '/user/token/add', { user_id: user, token: 20 }, { authorization: SECRET })
  const res = await call(app, 'POST', path, { user_uuid: user, chat_id: `chat-${users}`, ...body }, { authorization: SECRET })
  const list = (await call(app, 'GET', `/user/list?user_id=${user}`, undefined, { authorization: SECRET })).json.data.list
  const records = sqliteOf(app.services.db).prepare('select record_type, token, chat_id, model from records where user_id = ?').all(user)
  return { res, avail: list.find((u: { user_id: string }) => u.user_id === user)?.avail_token, records }
}

const billed = (out: Awaited<ReturnType<typeof run>>, type: number, model: string) => {
  expect(out.avail).toBe(15)
  expect(out.records).toEqual([{ record_type: type, token: 5, chat_id: expect.stringMatching(/^chat-/), model }])
}

describe('Ark (Seedream, SeedEdit, Seedance)', () => {
  it('/cozeZhsApi/proxy/video-generation → {video_url, task_id}', async () => {
    const out = await run('/cozeZhsApi/proxy/video-generation', { prompt: 'a cat runs', image_url: 'https://img.example/cat.png', duration: 5 })
    expect(out.res.json).toMatchObject({ code: 0, data: { video_url: expect.stringMatching(/^https?:/), task_id: expect.any(String) } })
    billed(out, 5, 'doubao-seedance-1-0-pro-250528')
  })
  it('/cozeZhsApi/proxy/doubao-seedream-generation → {image_url, task_id}', async () => {
    const out = await run('/cozeZhsApi/proxy/doubao-seedream-generation', { prompt: 'a red fox', size: '2K' })
    expect(out.res.json).toMatchObject({ code: 0, data: { image_url: expect.stringMatching(/^(https?|data):/), task_id: expect.any(String) } })
    billed(out, 3, 'doubao-seedream-4-0-250828')
  })
  it('/cozeZhsApi/proxy/doubao-image-edit → {image_url}', async () => {
    const out = await run('/cozeZhsApi/proxy/doubao-image-edit', { prompt: 'add a hat', image_url: 'https://img.example/cat.png' })
    expect(out.res.json).toMatchObject({ code: 0, data: { image_url: expect.stringMatching(/^(https?|data):/) } })
    billed(out, 3, 'doubao-seededit-3-0-i2i-250628')
  })
  it('/cozeZhsApi/proxy/volcengine/image → {image_urls}', async () => {
    const out = await run('/cozeZhsApi/proxy/volcengine/image', { prompt: 'a lake' })
    expect(out.res.json.data.image_urls.length).toBeGreaterThan(0)
    billed(out, 3, 'doubao-seedream-4-0-250828')
  })
})

describe('DashScope', () => {
  for (const model of ['qwen-image-plus', 'qwen-image', 'wan2.5-t2i-preview']) {
    it(`/cozeZhsApi/dashscope/image/generate/${model} → {image_urls}`, async () => {
      const out = await run(`/cozeZhsApi/dashscope/image/generate/${model}`, { prompt: '一只猫', model, size: '1024*1024', n: 1 })
      expect(out.res.json).toMatchObject({ code: 0, data: { image_urls: [expect.stringMatching(/^https?:/)] } })
      expect(dash.requests.find((r) => r.method === 'POST' && r.body.model === model)?.body.parameters).toMatchObject({ size: '1024*1024', n: 1 })
      billed(out, 3, model)
    })
  }
  it('/cozeZhsApi/dashscope/image-to-image → {image_urls, lists}', async () => {
    const out = await run('/cozeZhsApi/dashscope/image-to-image', { prompt: 'blend', images: [{ imgUrl: 'https://img.example/a.png', name: 'a' }] })
    expect(out.res.json.code).toBe(0)
    expect(out.res.json.data.lists).toEqual(out.res.json.data.image_urls.map((imgUrl: string) => ({ imgUrl })))
    billed(out, 3, 'wan2.5-i2i-preview')
  })
  it('/api/v1/dashscope/image/edit/simple → {edited_image_url}', async () => {
    const out = await run('/api/v1/dashscope/image/edit/simple', { prompt: '换成蓝色', image_url: 'https://img.example/a.png', model: 'qwen-image-edit' })
    expect(out.res.json).toMatchObject({ code: 0, data: { edited_image_url: expect.stringMatching(/^https?:/) } })
    billed(out, 3, 'qwen-image-edit')
  })
  it('/cozeZhsApi/dashscope/audio/recognize → {success, message, transcription, language_detected, total_tokens}', async () => {
    const out = await run('/cozeZhsApi/dashscope/audio/recognize', { audio_url: 'https://audio.example/a.mp3', model: 'qwen3-asr-flash', language: 'zh', system_prompt: '天气' })
    expect(out.res.json).toEqual({
      code: 0,
      msg: 'success',
      data: { success: true, message: 'success', transcription: TRANSCRIPT, language_detected: 'zh', total_tokens: expect.any(Number) },
    })
    billed(out, 4, 'qwen3-asr-flash')
  })
})

describe('Jimeng, Kling, Suno', () => {
  const visual = '/cozeZhsApi/proxy/volcengine/visual'
  const jimengRoutes: [string, string, Record<string, unknown>][] = [
    [`${visual}/images/jimeng_i2v_first_tail_v30`, 'jimeng_i2v_first_tail_v30', { image_url: 'https://img.example/a.png', last_frame_url: 'https://img.example/z.png' }],
    [`${visual}/images/jimeng_i2v_first_v30`, 'jimeng_i2v_first_v30', { image_url: 'https://img.example/a.png' }],
    [`${visual}/images/jimeng_i2v_recamera_v30`, 'jimeng_i2v_recamera_v30', { image_url: 'https://img.example/a.png' }],
    [`${visual}/jimeng_t2v_v30_1080p`, 'jimeng_t2v_v30_1080p', {}],
  ]
  for (const [path, model, extra] of jimengRoutes) {
    it(`${path} → {result_url}`, async () => {
      const out = await run(path, { prompt: 'a cat', ...extra })
      expect(out.res.json).toEqual({ code: 0, msg: 'success', data: { result_url: JIMENG_VIDEO_URL } })
      billed(out, 5, model)
    })
  }
  it('/cozeZhsApi/kling/generate/o1 → {video_url}', async () => {
    const out = await run('/cozeZhsApi/kling/generate/o1', { prompt: 'a cat', duration: 5 })
    expect(out.res.json).toEqual({ code: 0, msg: 'success', data: { video_url: KLING_VIDEO_URL } })
    billed(out, 5, 'kling-o1')
  })
  it('/suno/generate/music → {music_url}', async () => {
    const out = await run('/suno/generate/music', { prompt: 'a song about rain' })
    expect(out.res.json).toEqual({ code: 0, msg: 'success', data: { music_url: SUNO_AUDIO_URLS[0] } })
    billed(out, 4, 'suno-v3.5')
  })
})
