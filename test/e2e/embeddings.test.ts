// POST /v1/embeddings through the official openai SDK: relayed to providers whose models declare
// kind: embedding, billed on prompt tokens, recorded, with the pool's failover.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listRecords } from '../../src/db/records.repo.js'
import { listUsage } from '../../src/db/usage.repo.js'
import { findUser, grantTokens } from '../../src/db/users.repo.js'
import { type FakeOpenAI, fakeEmbedding, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor } from '../helpers/compat.js'

let fake: FakeOpenAI
let app: TestApp
const embedModel = { id: 'text-embed', kind: 'embedding' }

beforeAll(async () => {
  fake = await startFakeOpenAI(['sk-upstream-good'])
  app = await startTestApp({
    env: { ALLOW_ANONYMOUS: '1' },
    config: {
      providers: {
        // A dead key first: the pool fails over to the good one.
        vec: {
          type: 'openai-compatible',
          base_url: `${fake.url}/v1`,
          credentials: ['sk-dead-key-1', 'sk-upstream-good'],
          models: [embedModel, 'fake-model', { id: 'limited-embed', upstream: 'embed-rate-limited', kind: 'embedding' }],
        },
      },
      billing: { prices: { 'text-embed': { prompt: 1000 } } },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

describe('/v1/embeddings', () => {
  it('answers the SDK (which asks for base64 and decodes it) and plain float requests alike', async () => {
    const client = app.openai()
    const res = await client.embeddings.create({ model: 'text-embed', input: ['你好', 'hello'] })
    expect(res.object).toBe('list')
    expect(res.data.map((d) => d.index)).toEqual([0, 1])
    expect(res.data[0]!.embedding).toEqual(fakeEmbedding('你好'))
    expect(res.data[1]!.embedding).toEqual(fakeEmbedding('hello'))
    expect(res.usage).toEqual({ prompt_tokens: 7, total_tokens: 7 })
    const raw = await fetch(`${app.baseURL}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embed', input: 'hi', encoding_format: 'float', dimensions: 4 }),
    })
    const body = (await raw.json()) as any
    expect(body.data[0].embedding).toEqual(fakeEmbedding('hi', 4))
    expect(fake.requests.at(-1)!.body).toMatchObject({ model: 'text-embed', input: ['hi'], encoding_format: 'float', dimensions: 4 })
  })

  it('bills the prompt tokens the upstream reports and records the request', async () => {
    const key = await keyFor(app, 'vera')
    await grantTokens(app.services.db, 'vera', 100)
    await app.openai(key).embeddings.create({ model: 'text-embed', input: 'abcdef' })
    expect((await findUser(app.services.db, 'vera'))!.availToken).toBe(94)
    await app.services.billing.flush()
    await app.services.recorder.flush()
    const [record] = (await listRecords(app.services.db, { offset: 0, limit: 5, userId: 'vera' })).list
    expect(record).toMatchObject({ recordType: 6, question: 'abcdef', token: 6, model: 'text-embed', servedModel: 'text-embed' })
    const usage = (await listUsage(app.services.db, { limit: 100 })).find((u) => u.requestId === record!.requestId)
    expect(usage).toMatchObject({ promptTokens: 6, completionTokens: 0, charged: 6, status: 200, provider: 'vec' })
  })

  it('fails over past an invalid key, and marks it', async () => {
    const [dead] = app.services.pool.entries('vec')
    expect(dead).toMatchObject({ status: 'invalid' })
  })

  it('refuses what is not an embedding model, and embedding models on chat', async () => {
    const client = app.openai()
    const notEmbedding = await client.embeddings.create({ model: 'fake-model', input: 'x' }).catch((e) => e)
    expect(notEmbedding).toBeInstanceOf(OpenAI.BadRequestError)
    expect(notEmbedding.message).toContain('not an embedding model')
    const unknown = await client.embeddings.create({ model: 'no-such', input: 'x' }).catch((e) => e)
    expect(unknown.status).toBe(404)
    const chat = await client.chat.completions.create({ model: 'text-embed', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e)
    expect(chat.status).toBe(400)
    expect(chat.message).toContain('not a chat model')
    const empty = await client.embeddings.create({ model: 'text-embed', input: '' }).catch((e) => e)
    expect(empty.status).toBe(400)
  })

  it('passes an upstream rate limit on as 429, and a user who cannot pay gets 402 before any call', async () => {
    const limited = await app.openai().embeddings.create({ model: 'limited-embed', input: 'x' }).catch((e) => e)
    expect(limited.status).toBe(429)
    const key = await keyFor(app, 'wes')
    const before = fake.requests.length
    const poor = await app.openai(key).embeddings.create({ model: 'text-embed', input: 'x' }).catch((e) => e)
    expect(poor.status).toBe(402)
    expect(fake.requests.length).toBe(before)
  })
})
