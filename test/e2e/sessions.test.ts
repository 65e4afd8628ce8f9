// Server-side chat sessions (/chat, /chat/stream, /session/:id/*) through the running app,
// against the fake OpenAI upstream (history resent) and the fake Coze server (conversation reused).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { updateSession } from '../../src/db/sessions.repo.js'
import { ECHO_BOT, GOOD_TOKEN, type CozeFake, startCozeFake } from '../fakes/coze-api.js'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor, sseData } from '../helpers/compat.js'

const ANSWER = FAKE_ANSWER.join('')
let fake: FakeOpenAI
let coze: CozeFake
let app: TestApp
let key: string

beforeAll(async () => {
  fake = await startFakeOpenAI()
  coze = await startCozeFake()
  app = await startTestApp({
    config: {
      providers: {
        upstream: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'hang', 'paid', 'drop'] },
        'coze-api': { base_url: coze.url, credentials: [GOOD_TOKEN], bots: { assistant: ECHO_BOT }, poll_interval_ms: 50 },
      },
      sessions: { default_model: 'fake-model' },
      billing: { prices: { paid: { per_call: 10 } } },
    },
  })
  key = await keyFor(app, 'sam')
})
afterAll(async () => {
  await app.close()
  await fake.close()
  await coze.close()
})

const auth = (k = key) => ({ authorization: `Bearer ${k}` })
const chat = (body: unknown, k = key) => call(app, 'POST', '/chat', body, auth(k))
async function chatStream(body: unknown, k = key) {
  const res = await fetch(`${app.url}/chat/stream`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth(k) }, body: JSON.stringify(body) })
  return { res, lines: sseData(await res.text()) }
}
const sentMessages = () => fake.requests.at(-1)!.body.messages.map((m: any) => [m.role, m.content])

describe('/chat and /chat/stream', () => {
  it('keeps the history server-side across /chat and /chat/stream turns', async () => {
    const first = await chat({ message: 'hi' })
    expect(first.status).toBe(200)
    expect(first.json).toMatchObject({ response: ANSWER, session_id: expect.any(String), message_id: expect.any(String), conversation_id: null })
    expect(Date.parse(first.json.timestamp)).not.toBeNaN()
    const session_id = first.json.session_id

    await chat({ message: 'again', session_id })
    expect(sentMessages()).toEqual([['user', 'hi'], ['assistant', ANSWER], ['user', 'again']])

    const { res, lines } = await chatStream({ message: 'third', session_id })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const chunks = lines.filter((l) => l.type === 'chunk')
    expect(chunks.map((l) => l.data)).toEqual(FAKE_ANSWER.map((content, chunk_index) => ({ content, chunk_index })))
    expect(lines.at(-1)).toMatchObject({ type: 'complete', data: { total_chunks: FAKE_ANSWER.length, full_content: ANSWER, session_id } })
    expect(sentMessages()).toHaveLength(5)

    const info = await call(app, 'GET', `/session/${session_id}/info`, undefined, auth())
    expect(info.json).toMatchObject({ session_id, user_id: 'sam', conversation_id: null, message_count: 6, status: 'active' })

    const cleared = await call(app, 'POST', `/session/${session_id}/clear`, undefined, auth())
    expect(cleared.json).toMatchObject({ message: expect.any(String), session_id, cleared_at: expect.any(String) })
    await chat({ message: 'fresh', session_id })
    expect(sentMessages()).toEqual([['user', 'fresh']])
  })

  it('continues the Coze conversation of a session instead of resending the history', async () => {
    const first = await chat({ message: '你好', model: 'coze-assistant' })
    expect(first.json.response).toBe('你好！你说的是「你好」。这是第1轮，会话里有1条消息。')
    const conversation = first.json.conversation_id
    expect(conversation).toEqual(expect.any(String))

    const { lines } = await chatStream({ message: '第二个问题', model: 'coze-assistant', session_id: first.json.session_id })
    expect(lines.at(-1)!.data.full_content).toBe('你好！你说的是「第二个问题」。这是第2轮，会话里有3条消息。')
    const second = coze.chatRequests().at(-1)!
    expect(second.query).toEqual({ conversation_id: conversation })
    expect(second.body).toMatchObject({ user_id: 'sam' })
    expect(second.body!.additional_messages).toHaveLength(1)
    const info = await call(app, 'GET', `/session/${first.json.session_id}/info`, undefined, auth())
    expect(info.json).toMatchObject({ conversation_id: conversation, message_count: 4 })
  })

  it('refuses a second turn while one is running, and lets the session go when the stream is dropped', async () => {
    const session_id = 'busy-session-1'
    const controller = new AbortController()
    const res = await fetch(`${app.url}/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: JSON.stringify({ message: 'wait', model: 'hang', session_id }),
      signal: controller.signal,
    })
    const reader = res.body!.getReader()
    await reader.read() // the first chunk: the turn is running
    const busy = await chat({ message: 'me too', session_id })
    expect(busy).toMatchObject({ status: 409, json: { detail: expect.stringMatching(/session/) } })
    controller.abort()
    await expect.poll(async () => (await call(app, 'GET', `/session/${session_id}/info`, undefined, auth())).json.status).toBe('active')
    const after = await chat({ message: 'now', session_id })
    expect(after.status).toBe(200)
    // The abandoned turn left no trace in the history.
    expect(sentMessages()).toEqual([['user', 'now']])
  })

  it('ends a stream with an error line when the upstream drops, keeping the history as it was', async () => {
    const first = await chat({ message: 'before' })
    const { lines } = await chatStream({ message: 'doomed', model: 'drop', session_id: first.json.session_id })
    expect(lines.filter((l) => l.type === 'chunk').map((l) => l.data.content)).toEqual(FAKE_ANSWER.slice(0, 2))
    expect(lines.at(-1)).toMatchObject({ type: 'error', data: { message: expect.any(String) } })
    const info = await call(app, 'GET', `/session/${first.json.session_id}/info`, undefined, auth())
    expect(info.json).toMatchObject({ status: 'active', message_count: 2 })
  })

  it('answers 400 {"detail"} without a message, 404 for unknown sessions', async () => {
    const missing = await chat({ session_id: 'x' })
    expect(missing.status).toBe(400)
    expect(missing.json.detail).toMatch(/message/)
    expect((await call(app, 'GET', '/session/nope/info', undefined, auth())).status).toBe(404)
  })

  it('honours user_id only for keys that may act for others', async () => {
    expect((await chat({ message: 'hi', user_id: 'someone-else' })).status).toBe(403)
    const broker = await keyFor(app, 'broker', { actForOthers: true })
    const res = await chat({ message: 'hi', user_id: 'ulla' }, broker)
    expect(res.status).toBe(200)
    const info = await call(app, 'GET', `/session/${res.json.session_id}/info`, undefined, auth(broker))
    expect(info.json.user_id).toBe('ulla')
    // Another user's session is invisible to sam.
    expect((await chat({ message: 'peek', session_id: res.json.session_id })).status).toBe(404)
    await app.services.billing.flush()
    const records = (await call(app, 'GET', '/record/list?user_id=ulla')).json
    expect(records.data.list[0]).toMatchObject({ user_id: 'ulla', question: 'hi', answer: ANSWER, record_type: 2 })
  })

  it('bills session turns and answers 402 when the balance is spent', async () => {
    const payer = await keyFor(app, 'penny')
    await call(app, 'POST', '/user/token/add', { user_id: 'penny', token: 10 })
    const first = await chat({ message: 'hi', model: 'paid' }, payer)
    expect(first.status).toBe(200)
    const second = await chat({ message: 'more', model: 'paid', session_id: first.json.session_id }, payer)
    expect(second.status).toBe(402)
    expect(second.json).toMatchObject({ detail: expect.any(String), error: { type: 'insufficient_quota', code: 'insufficient_quota' } })
    const streamed = await fetch(`${app.url}/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(payer) },
      body: JSON.stringify({ message: 'more', model: 'paid', session_id: first.json.session_id }),
    })
    expect(streamed.status).toBe(402)
    // A refused turn does not hold the session.
    const info = await call(app, 'GET', `/session/${first.json.session_id}/info`, undefined, auth(payer))
    expect(info.json).toMatchObject({ status: 'active', message_count: 2 })
  })

  it('starts an idle-expired session over', async () => {
    const first = await chat({ message: 'old' })
    await updateSession(app.services.db, first.json.session_id, { lastActivity: Date.now() - 2 * app.services.config.sessions.idle_ttl_ms })
    const info = await call(app, 'GET', `/session/${first.json.session_id}/info`, undefined, auth())
    expect(info.json.status).toBe('expired')
    await chat({ message: 'new', session_id: first.json.session_id })
    expect(sentMessages()).toEqual([['user', 'new']])
  })
})
