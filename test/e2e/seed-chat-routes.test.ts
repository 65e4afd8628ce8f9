// The seed's chat-style routes through their vendors' fakes: a chat turn in the core chat
// service, user_uuid billed once with a chat record, the answer in the seed's envelope.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { DASHSCOPE_KEY, type FakeDashScope, startFakeDashScope } from '../fakes/dashscope-api.js'
import { ANSWER_PARTS, type FakeGemini, GEMINI_KEY, startFakeGemini } from '../fakes/gemini-api.js'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call } from '../helpers/compat.js'
import { sqliteOf } from '../../src/db/client.js'

const SECRET = 'admin-secret-for-tests'
const price = { prompt: 0, completion: 0, per_call: 2 }
let dash: FakeDashScope
let gemini: FakeGemini
let luyala: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  ;[dash, gemini, luyala] = await Promise.all([startFakeDashScope(), startFakeGemini(), startFakeOpenAI()])
  app = await startTestApp({
    config: {
      admin: { secret: SECRET },
      providers: {
        'dashscope-api': { base_url: dash.url, credentials: [DASHSCOPE_KEY] },
        'gemini-api': { base_url: `${gemini.url}/v1beta`, credentials: [GEMINI_KEY] },
        luyala: { type: 'openai-compatible', base_url: `${luyala.url}/v1`, api_key: 'sk-upstream-good', models: ['luyala-chat'] },
      },
      billing: { prices: { 'qwen-vl-max': price, 'gemini-3-pro-preview': price, 'luyala-chat': price } },
    },
  })
})
afterAll(async () => {
  await app?.close()
  await Promise.all([dash, gemini, luyala].map((f) => f?.close()))
})

let users = 0
async function run(path: string, body: Record<string, unknown>) {
  const user = `chat-user-${++users}`
  await call(app, 'POST', '/user/token/add', { user_id: user, token: 10 }, { authorization: SECRET })
  const res = await call(app, 'POST', path, { user_uuid: user, ...body }, { authorization: SECRET })
  const list = (await call(app, 'GET', `/user/list?user_id=${user}`, undefined, { authorization: SECRET })).json.data.list
  const records = sqliteOf(app.services.db).prepare('select record_type, token, model from records where user_id = ?').all(user)
  return { res, avail: list.find((u: { user_id: string }) => u.user_id === user)?.avail_token, records }
}

it('/cozeZhsApi/dashscope/vision/chat → {content}: qwen-vl-max sees the images', async () => {
  const url = 'https://img.example/cat.png'
  const out = await run('/cozeZhsApi/dashscope/vision/chat', { prompt: '这是什么？', image_urls: [url], model: 'qwen-vl-max' })
  expect(out.res.json).toEqual({ code: 0, msg: 'success', data: { content: `看到 1 张图片：${url}` } })
  expect(out.avail).toBe(8)
  expect(out.records).toEqual([{ record_type: 1, token: 2, model: 'qwen-vl-max' }])
})

it('/gemini/3/generate → {content}, with temperature and max_tokens passed on', async () => {
  const out = await run('/gemini/3/generate', { prompt: 'hi', model: 'gemini-3-pro-preview', temperature: 0.3, max_tokens: 64 })
  expect(out.res.json).toEqual({ code: 0, msg: 'success', data: { content: ANSWER_PARTS.join('') } })
  expect(gemini.requests.at(-1)!.body.generationConfig).toMatchObject({ temperature: 0.3, maxOutputTokens: 64 })
  expect(out.avail).toBe(8)
  expect(out.records).toEqual([{ record_type: 1, token: 2, model: 'gemini-3-pro-preview' }])
})

it('/cozeZhsApi/luyala/chat/completions → {completion} over the luyala instance', async () => {
  const out = await run('/cozeZhsApi/luyala/chat/completions', { messages: [{ role: 'user', content: 'hi' }] })
  expect(out.res.json).toEqual({ code: 0, msg: 'success', data: { completion: FAKE_ANSWER.join('') } })
  expect(out.avail).toBe(8)
  expect(out.records).toEqual([{ record_type: 1, token: 2, model: 'luyala-chat' }])
})

it('a missing prompt is a 400 and a user who cannot pay a 402, before any upstream call', async () => {
  const bad = await call(app, 'POST', '/gemini/3/generate', { user_uuid: 'x' }, { authorization: SECRET })
  expect([bad.status, bad.json.code]).toEqual([400, 400])
  const before = gemini.requests.length
  const poor = await call(app, 'POST', '/gemini/3/generate', { user_uuid: 'nobody', prompt: 'hi' }, { authorization: SECRET })
  expect([poor.status, poor.json.code]).toEqual([402, 402])
  expect(gemini.requests.length).toBe(before)
})
