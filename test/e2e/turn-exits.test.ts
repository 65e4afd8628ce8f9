// Every way a chat turn can end gives back what it took: the credential's concurrency slot, the
// session's claim and the user's reservation. A controllable upstream picks its behaviour from
// the question; the credential allows one request at a time, so a leaked slot shows at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { holdsOf, findUser } from '../../src/db/users.repo.js'
import { findSession } from '../../src/db/sessions.repo.js'
import { upstreamUnavailable } from '../../src/kit/errors.js'
import { textOf } from '../../src/kit/messages.js'
import { type DeltaEvent, defineProvider } from '../../src/kit/types.js'
import { providers } from '../../providers/index.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call, keyFor, sseData, waitFor } from '../helpers/compat.js'

const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true }))

let started = 0
const ctl = defineProvider<Record<string, unknown>>({
  id: 'ctl-web',
  defaultBaseUrl: 'http://127.0.0.1:9',
  create: (name) => ({
    id: name,
    credentialKind: 'token',
    models: [{ id: 'ctl' }],
    async *chat(req, ctx): AsyncGenerator<DeltaEvent> {
      started++
      const q = textOf(req.messages.at(-1)?.content ?? null)
      if (q === 'fail-before') throw upstreamUnavailable('upstream broke before answering')
      if (q === 'stall') await untilAborted(ctx.signal)
      yield { type: 'text', text: 'partial answer ' }
      if (q === 'fail-mid') throw upstreamUnavailable('upstream broke mid-answer')
      if (q === 'hang') await untilAborted(ctx.signal)
      yield { type: 'text', text: 'and the rest.' }
      yield { type: 'finish', reason: 'stop' }
    },
  }),
})

let app: TestApp
let key: string
const USER = 'exit-user'

beforeAll(async () => {
  app = await startTestApp({
    definitions: [...providers, ctl],
    config: {
      providers: { 'ctl-web': { credentials: ['acct-1'] } },
      pool: { max_transient_failures: 1000 },
      billing: { prices: { ctl: { per_call: 1, completion: 1000 } } },
    },
  })
  key = await keyFor(app, USER)
  await call(app, 'POST', '/user/token/add', { user_id: USER, token: 1_000_000 })
})
afterAll(() => app.close())

const auth = () => ({ authorization: `Bearer ${key}` })
const balance = async () => (await findUser(app.services.db, USER))!.availToken
const inFlight = () => [...((app.services.pool as any).inFlight as Map<number, number>).values()].reduce((a, b) => a + b, 0)

/** Nothing taken is still held: no slot in use, no reservation, the session free. */
async function released(sessionId?: string) {
  await waitFor(() => inFlight() === 0)
  expect(await holdsOf(app.services.db, USER)).toEqual([])
  if (sessionId) expect((await findSession(app.services.db, sessionId))?.busyUntil ?? null).toBeNull()
}

function streamRequest(path: string, body: unknown, signal?: AbortSignal) {
  return fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth() }, body: JSON.stringify(body), ...(signal ? { signal } : {}) })
}

/** Read a streamed response until its text contains `marker`, then drop the connection. */
async function readUntilThenDrop(path: string, body: unknown, marker: string) {
  const controller = new AbortController()
  const res = await streamRequest(path, body, controller.signal)
  const reader = res.body!.getReader()
  let text = ''
  while (!text.includes(marker)) text += new TextDecoder().decode((await reader.read()).value)
  controller.abort()
  return res
}

describe('every exit of a turn releases slot, session and reservation', () => {
  it('a finished answer (whole and streamed) is billed and releases everything', async () => {
    const before = await balance()
    const whole = await call(app, 'POST', '/chat', { message: 'ok', model: 'ctl', session_id: 'exit-ok' }, auth())
    expect(whole.status).toBe(200)
    await released('exit-ok')
    const res = await streamRequest('/chat/stream', { message: 'ok', model: 'ctl', session_id: 'exit-ok' })
    expect(sseData(await res.text()).at(-1).type).toBe('complete')
    await released('exit-ok')
    expect(await balance()).toBeLessThan(before)
  })

  it('an upstream failure before the first byte costs nothing', async () => {
    const before = await balance()
    const res = await call(app, 'POST', '/chat', { message: 'fail-before', model: 'ctl', session_id: 'exit-fb' }, auth())
    expect(res.status).toBe(502)
    await released('exit-fb')
    expect(await balance()).toBe(before)
  })

  it('an upstream failure mid-answer costs nothing, whole or streamed', async () => {
    const before = await balance()
    const whole = await call(app, 'POST', '/chat', { message: 'fail-mid', model: 'ctl', session_id: 'exit-fm' }, auth())
    expect(whole.status).toBe(502)
    await released('exit-fm')
    const res = await streamRequest('/chat/stream', { message: 'fail-mid', model: 'ctl', session_id: 'exit-fm' })
    const lines = sseData(await res.text())
    expect(lines.at(-1)).toMatchObject({ type: 'error', data: { message: expect.stringContaining('mid-answer') } })
    await released('exit-fm')
    const openai = await fetch(`${app.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: JSON.stringify({ model: 'ctl', stream: true, messages: [{ role: 'user', content: 'fail-mid' }] }),
    })
    expect(await openai.text()).toContain('"error"')
    await released()
    expect(await balance()).toBe(before)
  })

  it('a client that leaves mid-stream pays for what it was sent, and the session is free again', async () => {
    const before = await balance()
    await readUntilThenDrop('/chat/stream', { message: 'hang', model: 'ctl', session_id: 'exit-drop' }, 'partial')
    await released('exit-drop')
    expect(await balance()).toBeLessThan(before)
    await readUntilThenDrop('/v1/chat/completions', { model: 'ctl', stream: true, messages: [{ role: 'user', content: 'hang' }] }, 'partial')
    await released()
  })

  it('a client that leaves before the first byte pays nothing', async () => {
    const before = await balance()
    const count = started
    const controller = new AbortController()
    const pending = streamRequest('/chat/stream', { message: 'stall', model: 'ctl', session_id: 'exit-stall' }, controller.signal).catch(() => undefined)
    await waitFor(() => started > count)
    controller.abort()
    await pending
    await released('exit-stall')
    expect(await balance()).toBe(before)
  })

  it('a refused balance releases the session it claimed', async () => {
    const poor = await keyFor(app, 'poor-user')
    const res = await call(app, 'POST', '/chat', { message: 'ok', model: 'ctl', session_id: 'exit-poor' }, { authorization: `Bearer ${poor}` })
    expect(res.status).toBe(402)
    expect((await findSession(app.services.db, 'exit-poor'))?.busyUntil ?? null).toBeNull()
    await released()
  })

  it('a session id a header cannot carry is refused before anything starts', async () => {
    const count = started
    for (const path of ['/chat', '/chat/stream']) {
      const res = await call(app, 'POST', path, { message: 'ok', model: 'ctl', session_id: '会话-1' }, auth())
      expect(res.status).toBe(400)
      expect(res.json.detail).toContain('session_id')
    }
    expect(started).toBe(count)
    expect(await findSession(app.services.db, '会话-1')).toBeUndefined()
    await released()
  })
})
