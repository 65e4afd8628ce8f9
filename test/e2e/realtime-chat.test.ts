// The seed's WebSocket chat routes through the running relay, against the fake OpenAI upstream:
// streaming, pings, sessions across turns, one turn at a time, abort on close, 402, the
// per-user socket limit and backpressure with a reader that stops reading.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor, waitFor } from '../helpers/compat.js'
import { type TestSocket, openSocket } from '../helpers/ws-client.js'

const DOUBAO = '/cozeZhsApi/ws/doubao/streamDou'
const QWEN = '/cozeZhsApi/ws/qwen/stream'
const OMNI = '/cozeZhsApi/ws/chatomni/stream'
const ZHIPU = '/cozeZhsApi/ws/zhipu/stream'
const DEEPSEEK = '/cozeZhsApi/ws/chatdeepseek/stream'
const ANSWER = FAKE_ANSWER.join('')

let fake: FakeOpenAI
let app: TestApp
let key: string
const sockets: TestSocket[] = []

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: {
      providers: {
        upstream: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'hang', 'paid', 'flood', 'reasoner'] },
      },
      billing: { prices: { paid: { per_call: 10 } } },
      realtime: {
        routes: { [DOUBAO]: 'fake-model', [QWEN]: 'hang', [OMNI]: 'flood', [ZHIPU]: 'paid', [DEEPSEEK]: 'reasoner' },
        ping_interval_ms: 100,
        max_connections_per_user: 3,
        max_buffered_bytes: 65536,
      },
    },
  })
  key = await keyFor(app, 'wendy')
})
afterEach(async () => {
  // Each test starts with no socket open, so the per-user limit counts its own only.
  for (const s of sockets.splice(0)) s.ws.terminate()
  await waitFor(() => app.app.sockets.open === 0)
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const wsUrl = (path: string, query: Record<string, string> = { key: '' }) => {
  const q = new URLSearchParams({ client_id: 'c1', user_uuid: 'wendy', ...query })
  if (!q.get('key')) q.set('key', key)
  return `${app.url.replace('http', 'ws')}${path}?${q}`
}
async function connect(path: string, query?: Record<string, string>, options?: Parameters<typeof openSocket>[1]) {
  const s = await openSocket(wsUrl(path, query), options)
  sockets.push(s)
  return s
}
const sentMessages = () => fake.requests.at(-1)!.body.messages.map((m: any) => [m.role, m.content])

describe('WebSocket chat', () => {
  it('answers ping with pong and streams a chat as deltas and a done', async () => {
    const s = await connect(DOUBAO)
    s.send({ type: 'ping' })
    expect(await s.next((m) => m.type === 'pong')).toEqual({ type: 'pong' })
    s.send({ type: 'chat', data: { prompt: 'hi' } })
    const done = await s.next((m) => m.type === 'done')
    const deltas = s.messages.filter((m) => m.type === 'delta')
    expect(deltas.map((d) => d.data.content).join('')).toBe(ANSWER)
    expect(done.data).toMatchObject({ content: ANSWER, usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) }, chat_id: expect.any(String) })
    for (const d of deltas) expect(d.data.chat_id).toBe(done.data.chat_id)
    expect(fake.requests.at(-1)!.body.model).toBe('fake-model')
    s.ws.close()
  })

  it('keeps the conversation of a chat_id across turns', async () => {
    const s = await connect(DOUBAO)
    s.send({ type: 'chat', data: { prompt: 'first' } })
    const first = await s.next((m) => m.type === 'done')
    const from = s.messages.length
    s.send({ type: 'chat', data: { prompt: 'second', chat_id: first.data.chat_id } })
    const second = await s.next((m) => m.type === 'done', from)
    expect(second.data.chat_id).toBe(first.data.chat_id)
    expect(sentMessages()).toEqual([['user', 'first'], ['assistant', ANSWER], ['user', 'second']])
    s.ws.close()
  })

  it('streams reasoning beside the content', async () => {
    const s = await connect(DEEPSEEK)
    s.send({ type: 'chat', data: { prompt: 'think' } })
    await s.next((m) => m.type === 'done')
    const reasoning = s.messages.filter((m) => m.type === 'delta' && m.data.reasoning).map((m) => m.data.reasoning)
    expect(reasoning.join('')).toBe('先想一想。')
    s.ws.close()
  })

  it('refuses a second chat while one runs, and aborts the upstream when the socket closes', async () => {
    const s = await connect(QWEN)
    const early = fake.closedEarly
    s.send({ type: 'chat', data: { prompt: 'wait' } })
    await s.next((m) => m.type === 'delta')
    s.send({ type: 'chat', data: { prompt: 'again' } })
    expect((await s.next((m) => m.type === 'error')).data).toEqual({ code: 409, msg: expect.stringContaining('still answering') })
    s.ws.close()
    // The turn's first usage estimate loads the tokenizer, which takes seconds on a busy machine.
    await waitFor(() => fake.closedEarly > early, 15_000)
  })

  it('answers 402 when the balance is spent', async () => {
    await call(app, 'POST', '/user/token/add', { user_id: 'wendy', token: 10 })
    const s = await connect(ZHIPU)
    s.send({ type: 'chat', data: { prompt: 'one' } })
    await s.next((m) => m.type === 'done')
    const from = s.messages.length
    s.send({ type: 'chat', data: { prompt: 'two' } })
    expect((await s.next((m) => m.type === 'error', from)).data).toMatchObject({ code: 402 })
    s.ws.close()
  })

  it('refuses bad messages, unknown keys and sockets past the per-user limit', async () => {
    const s = await connect(DOUBAO)
    s.ws.send('not json')
    expect((await s.next((m) => m.type === 'error')).data.code).toBe(400)
    s.send({ type: 'chat', data: {} })
    expect((await s.next((m) => m.type === 'error' && m.data.msg.includes('prompt'))).data.code).toBe(400)

    const bad = await connect(DOUBAO, { key: 'fw-not-a-key' })
    expect((await bad.next((m) => m.type === 'error')).data.code).toBe(401)
    expect((await bad.closed).code).toBe(1008)

    const more = [await connect(DOUBAO), await connect(DOUBAO)]
    const over = await connect(DOUBAO)
    expect((await over.next((m) => m.type === 'error')).data.code).toBe(429)
    for (const m of [s, ...more]) m.ws.close()
    await Promise.all([s, ...more].map((m) => m.closed))
  })

  it('pings every interval and closes a socket that stopped answering', async () => {
    const live = await connect(DOUBAO)
    const dead = await connect(DOUBAO, undefined, { autoPong: false })
    let pings = 0
    live.ws.on('ping', () => pings++)
    expect((await dead.closed).code).toBe(1006)
    expect(pings).toBeGreaterThanOrEqual(1)
    expect(live.ws.readyState).toBe(live.ws.OPEN)
    live.ws.close()
  })

  it('stops reading the upstream while the client reads nothing (backpressure)', async () => {
    const s = await connect(OMNI)
    s.ws.pause()
    const early = fake.closedEarly
    s.send({ type: 'chat', data: { prompt: 'flood me' } })
    await waitFor(() => fake.flooded > 10)
    // The upstream stalls once the socket buffers, the kernel's and the relay's, are full.
    let last = -1
    await waitFor(async () => {
      const now = fake.flooded
      await new Promise((r) => setTimeout(r, 300))
      const still = fake.flooded === now && now === last
      last = fake.flooded
      return still
    }, 15_000)
    // 4 KiB chunks: far less than the endless answer, bounded by socket buffers plus 64 KiB.
    expect(fake.flooded * 4096).toBeLessThan(64 * 1024 * 1024)
    s.ws.resume()
    await s.next((m) => m.type === 'delta')
    s.ws.terminate()
    await waitFor(() => fake.closedEarly > early)
  }, 30_000)
})
