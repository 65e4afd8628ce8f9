// Only failures the upstream itself reported count against a credential. An adapter that throws
// something else (a stack overflow while serializing, a TypeError bug) costs the credential
// nothing and is not retried elsewhere: the client gets 500. Network failures of the kit's HTTP
// client are the upstream's and still count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { providers } from '../../providers/index.js'
import type { ChatRequest, DeltaEvent } from '../../src/kit/types.js'
import { defineProvider } from '../../src/kit/types.js'
import { startServer } from '../helpers/fake-server.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

/** Nested deeper than JSON.stringify's recursion can go: a RangeError, as a client's 5,000-deep parameter caused. */
function deeplyNested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {}
  for (let i = 0; i < depth; i++) value = { inner: value }
  return value
}

const calls: { secret: string; model: string }[] = []
const buggy = defineProvider<Record<string, unknown>>({
  id: 'buggy-web',
  defaultBaseUrl: 'http://127.0.0.1:9',
  create: (name) => ({
    id: name,
    credentialKind: 'token' as const,
    models: [{ id: 'overflow' }, { id: 'typo' }, { id: 'midstream' }, { id: 'fine' }],
    async *chat(req: ChatRequest, ctx): AsyncGenerator<DeltaEvent> {
      calls.push({ secret: ctx.credential.secret, model: req.model })
      if (req.model === 'overflow') JSON.stringify({ ...req.extra, nested: deeplyNested(200_000) })
      if (req.model === 'typo') (req.extra as unknown as { missing: { field: string } }).missing.field.trim()
      yield { type: 'text', text: 'first words' }
      if (req.model === 'midstream') (undefined as unknown as { x: string }).x.trim()
      yield { type: 'finish', reason: 'stop' }
    },
  }),
})

let app: TestApp
let closedPort: number

beforeAll(async () => {
  const gone = await startServer(() => undefined)
  closedPort = gone.port
  await gone.close()
  app = await startTestApp({
    definitions: [...providers, buggy],
    config: {
      providers: {
        'buggy-web': { credentials: ['acct-one', 'acct-two'] },
        unreachable: { type: 'openai-compatible', base_url: `http://127.0.0.1:${closedPort}/v1`, credentials: ['sk-nowhere'], models: ['far-model'] },
      },
    },
  })
})
afterAll(async () => {
  await app.close()
})

const ask = (model: string, stream = false) =>
  fetch(`${app.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream }),
  })

const credentials = () => app.services.pool.entries('buggy-web')

describe('our own failures', () => {
  it.each(['overflow', 'typo'])('%s: 500 internal error, tried once, no credential harmed', async (model) => {
    for (let i = 0; i < 4; i++) {
      const before = calls.length
      const res = await ask(model)
      expect(res.status).toBe(500)
      expect(((await res.json()) as any).error).toMatchObject({ code: 'internal_error', message: 'internal error while calling buggy-web' })
      expect(calls.length - before).toBe(1)
    }
    for (const c of credentials()) {
      expect(c).toMatchObject({ status: 'active', failures: 0, lastError: null })
      expect(app.services.pool.coolingModels(c.id)).toEqual([])
    }
  })

  it('a bug after the first event ends the stream with an internal error and costs the credential nothing', async () => {
    const res = await ask('midstream', true)
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toContain('first words')
    expect(text).toContain('"code":"internal_error"')
    for (const c of credentials()) expect(c).toMatchObject({ status: 'active', failures: 0, lastError: null })
  })

  it('leaves the credentials serving', async () => {
    const res = await ask('fine')
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).choices[0].message.content).toBe('first words')
  })
})

describe('network failures of the upstream', () => {
  it('count as transient against the credential and model (refused connection)', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await ask('far-model')
      expect(res.status).toBe(502)
      expect(((await res.json()) as any).error.message).toMatch(/unreachable unreachable/)
    }
    const [c] = app.services.pool.entries('unreachable')
    expect(c!.lastError).toMatch(/unreachable/)
    expect(app.services.pool.coolingModels(c!.id)).toMatchObject([{ model: 'far-model', failures: 3 }])
  })
})
