// /communicate: seed 004's slash commands over SSE, against the fake OpenAI upstream (whose
// 'agent' model calls the first tool it is offered) and a real MCP server over HTTP and stdio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PLAN_FIRST } from '../../src/core/agents/agent.js'
import { MCP_TOKEN, type McpHttpFake, STDIO_SERVER, startMcpHttp, weatherOf } from '../fakes/mcp-server.js'
import { FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, sseData } from '../helpers/compat.js'
import { openSocket } from '../helpers/ws-client.js'

const ANSWER = FAKE_ANSWER.join('')
let fake: FakeOpenAI
let remote: McpHttpFake
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI()
  remote = await startMcpHttp()
  app = await startTestApp({
    config: {
      security: { allow_anonymous: true },
      providers: { upstream: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'agent', 'paid', 'reasoner'] } },
      sessions: { default_model: 'fake-model' },
      agents: { model: 'agent', max_steps: 3 },
      billing: { prices: { paid: { per_call: 10 } } },
      realtime: { routes: { '/cozeZhsApi/ws/doubao/streamDou': 'fake-model' } },
    },
  })
  await app.services.mcp.update('remote', { url: remote.url, headers: { Authorization: `Bearer ${MCP_TOKEN}` }, args: [], env: {}, description: '', disabled: false })
  await app.services.mcp.update('weather', { ...STDIO_SERVER, env: {}, headers: {}, description: '', disabled: false })
}, 40_000)
afterAll(async () => {
  await app.close()
  await remote.close()
  await fake.close()
})

async function communicate(prompt: string | undefined, user = 'cora', init: { body?: Buffer; type?: string; path?: string } = {}) {
  const q = new URLSearchParams({ ...(prompt === undefined ? {} : { prompt }), user_id: user })
  const res = await fetch(`${app.url}${init.path ?? '/communicate'}?${q}`, {
    method: 'POST',
    ...(init.body ? { body: init.body, headers: { 'content-type': init.type ?? 'application/octet-stream' } } : {}),
  })
  const text = await res.text()
  const isSse = res.headers.get('content-type')?.startsWith('text/event-stream')
  return { res, events: isSse ? sseData(text) : [], json: isSse ? undefined : JSON.parse(text) }
}
const lastSent = () => fake.requests.at(-1)!.body
const of = (events: any[], type: string) => events.filter((e) => e.type === type)

describe('/communicate', () => {
  it('refuses a request without a prompt', async () => {
    const { res, json } = await communicate(undefined)
    expect(res.status).toBe(400)
    expect(json).toEqual({ code: 400, msg: 'Missing prompt parameter' })
  })

  it('chats with plain text over SSE and keeps the conversation; /state, /retry and /clear look after it', async () => {
    const { res, events } = await communicate('hello')
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('connection')).toBe('keep-alive')
    expect(of(events, 'delta').map((e) => e.content).join('')).toBe(ANSWER)
    expect(events.at(-1)).toEqual({ type: 'done', content: ANSWER, steps: 1 })

    await communicate('/chat and more')
    expect(lastSent().messages.map((m: any) => m.content)).toEqual(['hello', ANSWER, 'and more'])
    expect((await communicate('/state')).events[0]).toMatchObject({ type: 'message', data: { messages: 4 } })

    await communicate('/retry')
    expect(lastSent().messages.at(-1).content).toBe('and more')
    await communicate('/clear')
    expect((await communicate('/state')).events[0].data.messages).toBe(0)
  })

  it('shows and sets the mode; an unknown model is refused', async () => {
    expect((await communicate('/mode', 'mo')).events[0]).toMatchObject({ type: 'message', data: { mode: null } })
    expect((await communicate('/mode reasoner', 'mo')).events[0].data).toEqual({ mode: 'reasoner' })
    await communicate('think', 'mo')
    expect(lastSent().model).toBe('reasoner')
    const unknown = await communicate('/mode no-such-model', 'mo')
    expect(unknown.res.status).toBe(404)
    expect(unknown.json).toMatchObject({ code: 404, msg: expect.stringContaining('no-such-model') })
  })

  it('shows the balance and answers 402 when it is spent', async () => {
    await call(app, 'POST', '/user/token/add', { user_id: 'pat', token: 5 })
    expect((await communicate('/balance', 'pat')).events[0].data).toMatchObject({ user_id: 'pat', avail_token: 5 })
    await communicate('/mode paid', 'pat')
    const refused = await communicate('hi', 'pat')
    expect(refused.res.status).toBe(402)
    expect(refused.json.code).toBe(402)
  })

  it('/task reaches an answer through the MCP tool, each step streamed and billed', async () => {
    const before = fake.requests.length
    const { events } = await communicate('/task what is the weather in Beijing?', 'tia')
    expect(of(events, 'step').map((e) => e.step)).toEqual([1, 2])
    expect(of(events, 'tool_call')).toEqual([{ type: 'tool_call', step: 1, name: 'remote__get_weather', arguments: '{"city":"北京"}' }])
    expect(of(events, 'tool_result')).toEqual([{ type: 'tool_result', step: 1, name: 'remote__get_weather', result: weatherOf('北京'), is_error: false }])
    expect(events.at(-1)).toEqual({ type: 'done', content: `The tool said: ${weatherOf('北京')}`, steps: 2 })
    const sent = fake.requests.slice(before)
    expect(sent.map((r) => r.body.model)).toEqual(['agent', 'agent'])
    expect(sent[0]!.body.tools.map((t: any) => t.function.name)).toContain('weather__get_weather')
    await app.services.billing.flush()
    const records = await call(app, 'GET', '/record/list?user_id=tia')
    expect(records.json.data.list.map((r: any) => r.record_type)).toEqual([8, 8])
  })

  it('/mcp plans first and runs the stdio server tool', async () => {
    await app.services.mcp.disable('remote', true)
    const { events } = await communicate('/mcp weather please', 'tia', { path: '/api/communicate' })
    expect(of(events, 'tool_call')[0].name).toBe('weather__get_weather')
    expect(events.at(-1).content).toBe(`The tool said: ${weatherOf('北京')}`)
    expect(lastSent().messages[0]).toEqual({ role: 'system', content: PLAN_FIRST })
    await app.services.mcp.disable('remote', false)
  })

  it('sends an uploaded image with the message; /help lists the commands; others are refused', async () => {
    await communicate('what is this?', 'ivy', { body: Buffer.from([0x89, 0x50, 0x4e, 0x47]), type: 'image/png' })
    expect(lastSent().messages.at(-1).content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==' } },
    ])
    const help = await communicate('/help')
    expect(help.events[0].content).toContain('/task <goal>')
    expect((await communicate('/photo a cat')).json.msg).toContain('wan2.5-t2i-preview` does not exist')
    expect((await communicate('/dance')).json).toMatchObject({ code: 400, msg: expect.stringContaining('unknown command /dance') })
  })

  it('with anonymous access on, a WebSocket names its user with user_uuid alone, and the turn is that user\'s', async () => {
    const s = await openSocket(`${app.url.replace('http', 'ws')}/cozeZhsApi/ws/doubao/streamDou?user_uuid=anon-ann`)
    s.send({ type: 'chat', data: { prompt: 'hi' } })
    expect((await s.next((m) => m.type === 'done')).data.content).toBe(ANSWER)
    s.ws.close()
    await app.services.billing.flush()
    const records = await call(app, 'GET', '/record/list?user_id=anon-ann')
    expect(records.json.data.list.map((r: any) => r.record_type)).toEqual([7])
  })
})

describe('"mcp": true on /v1/chat/completions', () => {
  const ask = (stream: boolean) => app.openai().chat.completions.create({ model: 'agent', messages: [{ role: 'user', content: 'weather in Beijing?' }], stream, mcp: true } as any)
  const answer = `The tool said: ${weatherOf('北京')}`

  it('runs the MCP tool call in the relay and answers with the final text, whole and streamed', async () => {
    const before = fake.requests.length
    const whole: any = await ask(false)
    expect(whole.choices[0]).toMatchObject({ message: { role: 'assistant', content: answer }, finish_reason: 'stop' })
    const sent = fake.requests.slice(before)
    expect(sent.map((r) => r.body.model)).toEqual(['agent', 'agent'])
    expect(sent[0]!.body.mcp).toBeUndefined()
    expect(sent[1]!.body.messages.at(-1)).toMatchObject({ role: 'tool', content: weatherOf('北京') })
    let text = ''
    let finish: string | null = null
    for await (const c of (await ask(true)) as any) {
      text += c.choices[0]?.delta?.content ?? ''
      finish = c.choices[0]?.finish_reason ?? finish
    }
    expect([text, finish]).toEqual([answer, 'stop'])
  })

  it('a refused first round is the HTTP error (unknown model 404), stream or not', async () => {
    for (const stream of [false, true]) {
      const err: any = await app.openai().chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }], stream, mcp: true } as any).catch((e) => e)
      expect(err.status).toBe(404)
    }
  })
})
