import { afterEach, describe, expect, it } from 'vitest'
import { ECHO_BOT } from '../../test/fakes/coze-api.js'
import { collectEvents } from '../../test/helpers/adapter-context.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { eventually, request, setup } from '../../test/fakes/coze-api-harness.js'

type Env = Awaited<ReturnType<typeof setup>>
let env: Env
afterEach(() => env?.fake.close())

const botReplying = (reply: Record<string, unknown>) => ({ bots: { [ECHO_BOT]: { reply: () => reply } } })

describe.each([true, false])('coze-api errors, stream=%s', (stream) => {
  it.each([401, 200] as const)('a bad PAT (code 4100, HTTP %s) is credential_invalid before any event', async (status) => {
    env = await setup({ authErrorStatus: status })
    const seen: DeltaEvent[] = []
    const it = env.adapter.chat(request({ stream }), env.context({ secret: 'pat_revoked' }))
    await expect(
      (async () => {
        for await (const e of it) seen.push(e)
      })(),
    ).rejects.toMatchObject({ kind: 'credential_invalid', message: expect.stringContaining('code 4100') })
    expect(seen).toEqual([])
    expect(env.fake.requests[0]!.authorization).toBe('Bearer pat_revoked')
  })

  it('an unknown bot id is code 4006, an operator error named in the message', async () => {
    env = await setup()
    await expect(env.run({ stream, model: '7000000000000000404' })).rejects.toMatchObject({
      kind: 'invalid_request',
      message: expect.stringContaining('providers.coze-api.bots'),
    })
  })

  it('an unpublished bot is code 4015', async () => {
    env = await setup({ bots: { [ECHO_BOT]: { published: false } } })
    await expect(env.run({ stream })).rejects.toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('4015') })
  })

  it('a failed chat (last_error 5000) is an upstream error after the conversation event', async () => {
    env = await setup(botReplying({ outcome: 'failed' }))
    const seen: DeltaEvent[] = []
    await expect(
      (async () => {
        for await (const e of env.adapter.chat(request({ stream }), env.context())) seen.push(e)
      })(),
    ).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringContaining('event interval error') })
    expect(seen.map((e) => e.type)).toEqual(['conversation'])
  })

  it('a question the bot cannot answer (4014) ends with content_filter', async () => {
    env = await setup(botReplying({ outcome: 'refused' }))
    expect((await env.run({ stream })).at(-1)).toEqual({ type: 'finish', reason: 'content_filter' })
  })

  it('a 4014 refusal on create also ends with content_filter', async () => {
    env = await setup()
    env.fake.inject('/v3/chat', { status: 200, body: JSON.stringify({ code: 4014, msg: 'cannot answer', detail: { logid: 'x' } }) })
    expect(await env.run({ stream })).toEqual([{ type: 'finish', reason: 'content_filter' }])
  })

  it('requires_action (a local plugin) is not supported', async () => {
    env = await setup(botReplying({ outcome: 'requires_action' }))
    await expect(env.run({ stream })).rejects.toMatchObject({ kind: 'not_supported' })
  })

  it.each([
    [4011, 'quota_exhausted'],
    [4008, 'quota_exhausted'],
    [4020, 'rate_limited'],
    [4009, 'unavailable'],
  ])('code %s on create → %s', async (code, kind) => {
    env = await setup()
    env.fake.inject('/v3/chat', { status: 200, body: JSON.stringify({ code, msg: 'injected', detail: { logid: 'L' } }) })
    await expect(env.run({ stream })).rejects.toMatchObject({ kind, message: expect.stringContaining('logid L') })
  })

  it('an HTML page instead of the API is a protocol error naming the provider', async () => {
    env = await setup()
    env.fake.inject('/v3/chat', { status: 403, body: '<html><body>Access denied</body></html>', contentType: 'text/html' })
    await expect(env.run({ stream })).rejects.toMatchObject({ kind: 'protocol', message: expect.stringContaining('coze-api') })
  })
})

describe('coze-api stream-only errors', () => {
  it('error events are classified by their code ({code,msg} and {code,message})', async () => {
    env = await setup(botReplying({ outcome: 'error_event', errorData: { code: 4009, msg: 'busy' } }))
    await expect(env.run()).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringContaining('busy') })
    await env.fake.close()
    env = await setup(botReplying({ outcome: 'error_event', errorData: { code: 4020, message: 'rpm' } }))
    await expect(env.run()).rejects.toMatchObject({ kind: 'rate_limited' })
  })

  it('a success envelope where an event stream was expected is a protocol error', async () => {
    env = await setup()
    env.fake.inject('/v3/chat', { status: 200, body: JSON.stringify({ code: 0, msg: '', data: { id: '1' } }) })
    await expect(env.run()).rejects.toMatchObject({ kind: 'protocol' })
  })

  it('a stream that breaks before chat.completed is unavailable, not a clean finish', async () => {
    env = await setup(botReplying({ answer: '半句话', truncate: true }))
    await expect(env.run()).rejects.toMatchObject({ kind: 'unavailable' })
  })

  it('a second chat while one runs in the conversation is code 4016 → rate_limited', async () => {
    env = await setup(botReplying({ answer: '慢慢地说完这一句话', deltaDelayMs: 40 }))
    const first = env.adapter.chat(request(), env.context())[Symbol.asyncIterator]()
    const head = await first.next()
    const id = head.value?.type === 'conversation' ? head.value.id : ''
    await expect(env.run({ conversationId: id })).rejects.toMatchObject({ kind: 'rate_limited', message: expect.stringContaining('4016') })
    await first.return?.(undefined)
  })
})

describe('coze-api abort and polling limits', () => {
  it('an aborted stream closes the upstream connection', async () => {
    env = await setup(botReplying({ answer: '这是一个很长很长很长很长很长的回答', deltaDelayMs: 50 }))
    const ac = new AbortController()
    const it = env.adapter.chat(request(), env.context({ signal: ac.signal }))
    const seen: DeltaEvent[] = []
    const done = (async () => {
      for await (const e of it) {
        seen.push(e)
        if (e.type === 'text') ac.abort()
      }
    })()
    await expect(done).rejects.toMatchObject({ name: 'AbortError' })
    await eventually(() => env.fake.stats.streamsClosedEarly === 1)
    expect(env.fake.stats.streamsCompleted).toBe(0)
  })

  it('an abort stops polling and cancels the running chat', async () => {
    env = await setup(botReplying({ answer: 'x', hang: true }))
    const ac = new AbortController()
    const run = collectEvents(env.adapter.chat(request({ stream: false }), env.context({ signal: ac.signal })))
    await eventually(() => env.fake.requests.filter((r) => r.path === '/v3/chat/retrieve').length >= 2)
    ac.abort()
    await expect(run).rejects.toMatchObject({ name: 'AbortError' })
    await eventually(() => env.fake.stats.cancels === 1)
    const polls = env.fake.requests.filter((r) => r.path === '/v3/chat/retrieve').length
    await new Promise((r) => setTimeout(r, 200))
    expect(env.fake.requests.filter((r) => r.path === '/v3/chat/retrieve')).toHaveLength(polls)
    expect([...env.fake.chats.values()][0]!.chat.status).toBe('canceled')
  })

  it('polling gives up after poll_timeout_ms with a timeout, and cancels the chat', async () => {
    env = await setup(botReplying({ answer: 'x', hang: true }), { poll_timeout_ms: 300 })
    await expect(env.run({ stream: false })).rejects.toMatchObject({ kind: 'timeout' })
    await eventually(() => env.fake.stats.cancels === 1)
  })
})

describe('coze-api probe', () => {
  it('a good PAT that can see the first bot is healthy', async () => {
    env = await setup()
    expect(await env.adapter.probe!(env.context())).toEqual({ ok: true })
    expect(env.fake.requests[0]).toMatchObject({ method: 'GET', path: '/v1/conversations', query: { bot_id: ECHO_BOT } })
  })

  it('a bad PAT is reported without leaking it', async () => {
    env = await setup()
    const health = await env.adapter.probe!(env.context({ secret: 'pat_wrong_token_123456' }))
    expect(health.ok).toBe(false)
    expect(health.reason).toContain('4100')
    expect(health.reason).not.toContain('pat_wrong_token_123456')
  })

  it('without bots there is nothing to probe, and the token is not judged', async () => {
    env = await setup({}, { bots: {} })
    await expect(env.adapter.probe!(env.context())).rejects.toMatchObject({ kind: 'not_supported', message: expect.stringContaining('no bots') })
  })
})

describe('coze-api malformed replies', () => {
  it('a non-stream create without chat ids is a protocol error', async () => {
    env = await setup()
    env.fake.inject('/v3/chat', { status: 200, body: JSON.stringify({ code: 0, msg: '', data: null }) })
    await expect(env.run({ stream: false })).rejects.toMatchObject({ kind: 'protocol' })
  })

  it('a body that is not JSON is a protocol error', async () => {
    env = await setup()
    env.fake.inject('/v3/chat', { status: 200, body: 'upstream connect error', contentType: 'text/plain' })
    await expect(env.run({ stream: false })).rejects.toMatchObject({ kind: 'protocol' })
  })

  it('leaves one-shot clean-up to the core: the adapter itself deletes nothing', async () => {
    env = await setup({}, { multi_turn: false, keep_conversations: false })
    await env.run()
    await new Promise((r) => setTimeout(r, 50))
    expect(env.fake.requests.some((r) => r.method === 'DELETE')).toBe(false)
  })
})
