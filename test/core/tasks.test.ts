// The task engine with an in-process media provider whose polls follow a script: progress
// events, back-off, transient poll failures retried, a timeout (free), a task caught mid-submit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TASK_HOLDER } from '../../src/core/tasks/engine.js'
import type { TaskEvent } from '../../src/core/tasks/events.js'
import { findTask, insertTask } from '../../src/db/tasks.repo.js'
import { grantTokens } from '../../src/db/users.repo.js'
import { invalidRequest, upstreamUnavailable } from '../../src/kit/errors.js'
import { type MediaSnapshot, defineProvider } from '../../src/kit/types.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { waitFor } from '../helpers/compat.js'
import { sqliteOf } from '../../src/db/client.js'

/** What each poll of a task answers, in turn (an Error is thrown); the last one repeats. */
const scripts = new Map<string, (MediaSnapshot | Error)[]>()
const polled: string[] = []

const scripted = defineProvider<Record<string, unknown>>({
  id: 'scripted',
  defaultBaseUrl: 'http://127.0.0.1:9',
  create: (name) => ({
    id: name,
    credentialKind: 'token',
    models: [{ id: 'clip', kind: 'video' }],
    async *chat() {},
    async submitMedia(req) {
      return { status: 'queued', upstreamId: req.prompt!, state: { asked: req.prompt } }
    },
    async pollMedia(task) {
      polled.push(task.upstreamId)
      expect(task.state).toEqual({ asked: task.upstreamId })
      const script = scripts.get(task.upstreamId)!
      const next = script.length > 1 ? script.shift()! : script[0]!
      if (next instanceof Error) throw next
      return next
    },
  }),
})

let app: TestApp
const events: TaskEvent[] = []
const caller = { keyId: null, userId: 'ann', allowedModels: null, actForOthers: false, passthroughTokens: [] }

beforeAll(async () => {
  app = await startTestApp({
    definitions: [scripted],
    config: {
      providers: { scripted: { credentials: ['tok-scripted'] } },
      billing: { prices: { clip: { per_second: 1 } } },
      tasks: { poll_interval_ms: 5, max_poll_interval_ms: 20, timeout_ms: 400, default_seconds: 5 },
    },
  })
  app.services.tasks.events.subscribe((e) => events.push(e))
  await grantTokens(app.services.db, 'ann', 100)
})
afterAll(() => app.close())

const submit = (prompt: string, seconds?: number) =>
  app.services.tasks.submit({
    requestId: `req-${prompt}`,
    caller,
    model: 'clip',
    kinds: ['video'],
    request: { prompt, extra: {}, ...(seconds ? { seconds } : {}) },
    signal: new AbortController().signal,
  })
const settled = (id: string) => waitFor(async () => ['completed', 'failed'].includes((await findTask(app.services.db, id))!.status), 3000)

describe('task engine', () => {
  it('publishes progress, retries a transient poll failure and bills what was made', async () => {
    scripts.set('a', [{ status: 'in_progress', progress: 30 }, upstreamUnavailable('502'), { status: 'completed', outputs: [{ kind: 'video', url: 'https://x/a.mp4' }], usage: { seconds: 6 } }])
    const row = await submit('a', 8)
    expect(row).toMatchObject({ status: 'queued', upstreamId: 'a' })
    await settled(row.id)
    expect(await findTask(app.services.db, row.id)).toMatchObject({ status: 'completed', charged: 6, holdId: null })
    const mine = events.filter((e) => e.id === row.id).map((e) => [e.status, e.progress, e.final])
    expect(mine).toEqual([
      ['queued', 0, false],
      ['in_progress', 30, false],
      ['completed', 100, true],
    ])
    expect(polled.filter((p) => p === 'a')).toHaveLength(3)
  })

  it('fails a task whose poll is refused, and one that outlives tasks.timeout_ms, charging nothing', async () => {
    scripts.set('b', [invalidRequest('no such task')])
    scripts.set('c', [{ status: 'in_progress', progress: 10 }])
    const before = sqliteOf(app.services.db).prepare("select avail_token as a from users where user_id = 'ann'").get() as { a: number }
    const b = await submit('b')
    const c = await submit('c')
    await settled(b.id)
    await settled(c.id)
    expect(await findTask(app.services.db, b.id)).toMatchObject({ status: 'failed', errorKind: 'invalid_request', charged: 0 })
    expect(await findTask(app.services.db, c.id)).toMatchObject({ status: 'failed', errorKind: 'timeout', charged: 0 })
    const after = sqliteOf(app.services.db).prepare("select avail_token as a from users where user_id = 'ann'").get() as { a: number }
    expect(after.a).toBe(before.a)
  })

  it('at start, a task caught mid-submit fails and gives its hold back', async () => {
    const hold = (await app.services.billing.reserve('ann', 'req-lost', 5, TASK_HOLDER))!
    const now = Date.now()
    await (await insertTask(app.services.db, {
      id: 'video_lost',
      userId: 'ann',
      keyId: null,
      requestId: 'req-lost',
      kind: 'video',
      model: 'clip',
      status: 'submitting',
      request: {},
      holdId: hold.id,
      recordType: 5,
      createdAt: now,
      updatedAt: now,
    }))
    const before = sqliteOf(app.services.db).prepare("select avail_token as a from users where user_id = 'ann'").get() as { a: number }
    expect(await app.services.tasks.resume()).toBe(1)
    expect(await findTask(app.services.db, 'video_lost')).toMatchObject({ status: 'failed', holdId: null })
    const after = sqliteOf(app.services.db).prepare("select avail_token as a from users where user_id = 'ann'").get() as { a: number }
    expect(after.a).toBe(before.a + 5)
  })
})
