// openai-compatible embeddings against the fake OpenAI upstream's /embeddings endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EmbeddingRequest } from '../../src/kit/types.js'
import { type FakeOpenAI, fakeEmbedding, float32Base64, startFakeOpenAI } from '../../test/fakes/openai-upstream.js'
import { createAdapter, makeContext } from '../../test/helpers/adapter-context.js'
import { parseEmbeddings } from './embed.js'
import definition, { type OpenAICompatibleSettings } from './index.js'

let fake: FakeOpenAI
beforeAll(async () => {
  fake = await startFakeOpenAI()
})
afterAll(() => fake.close())

const models = ['chat-model', { id: 'embed-small', kind: 'embedding' }, { id: 'vectors', upstream: 'text-embed-3', kind: 'embedding' }]

function embed(over: Partial<EmbeddingRequest>, secret = 'sk-upstream-good') {
  const base = `${fake.url}/v1`
  const adapter = createAdapter(definition, base, { models })
  const settings = definition.settings!.parse({ models }) as OpenAICompatibleSettings
  const ctx = makeContext<OpenAICompatibleSettings>({ baseUrl: base, secret, settings })
  return adapter.embed!({ model: 'embed-small', input: ['你好'], extra: {}, ...over }, ctx)
}

describe('openai-compatible models', () => {
  it('accepts {id, kind: embedding} and {id, upstream, kind}; names stay chat models', () => {
    expect(createAdapter(definition, fake.url, { models }).models).toEqual([
      { id: 'chat-model', ownedBy: 'openai-compatible' },
      { id: 'embed-small', ownedBy: 'openai-compatible', kind: 'embedding' },
      { id: 'vectors', ownedBy: 'openai-compatible', upstream: 'text-embed-3', kind: 'embedding' },
    ])
    expect(() => definition.settings!.parse({ models: [{ id: 'x', kind: 'hologram' }] })).toThrow()
  })
})

describe('openai-compatible embed', () => {
  it('posts model, input, encoding_format, dimensions and user; returns vectors in input order with prompt tokens', async () => {
    const result = await embed({ input: ['你好', 'hello world'], encodingFormat: 'float', dimensions: 4, user: 'u-1', extra: { extra_field: true } })
    expect(result).toEqual({ vectors: [fakeEmbedding('你好', 4), fakeEmbedding('hello world', 4)], promptTokens: 13 })
    const sent = fake.requests.at(-1)!
    expect(sent.path).toBe('/v1/embeddings')
    expect(sent.headers.authorization).toBe('Bearer sk-upstream-good')
    expect(sent.body).toEqual({ model: 'embed-small', input: ['你好', 'hello world'], encoding_format: 'float', dimensions: 4, user: 'u-1', extra_field: true })
  })

  it('keeps base64 vectors as the upstream sent them', async () => {
    const result = await embed({ input: ['a'], encodingFormat: 'base64' })
    expect(result.vectors).toEqual([float32Base64(fakeEmbedding('a'))])
  })

  it('takes token arrays as input', async () => {
    const result = await embed({ input: [[1, 2, 3], [4]] })
    expect(result).toEqual({ vectors: [fakeEmbedding([1, 2, 3]), fakeEmbedding([4])], promptTokens: 4 })
  })

  it('maps upstream failures through the kit like chat', async () => {
    await expect(embed({}, 'sk-wrong')).rejects.toMatchObject({ kind: 'credential_invalid', upstreamStatus: 401 })
    await expect(embed({ model: 'chat-model' })).rejects.toMatchObject({ kind: 'invalid_request', message: expect.stringContaining('does not support embeddings') })
    await expect(embed({ model: 'embed-rate-limited' })).rejects.toMatchObject({ kind: 'rate_limited' })
    await expect(embed({ input: [] })).rejects.toMatchObject({ kind: 'invalid_request', upstreamStatus: 400 })
  })
})

describe('parseEmbeddings', () => {
  it('refuses answers that do not give exactly one vector per input', () => {
    expect(() => parseEmbeddings({ data: [{ index: 0, embedding: [1] }] }, 2, 'p')).toThrow(expect.objectContaining({ kind: 'protocol' }))
    expect(() => parseEmbeddings({ data: [{ index: 0, embedding: [1] }, { index: 0, embedding: [2] }] }, 2, 'p')).toThrow(/malformed/)
    expect(() => parseEmbeddings({ data: [{ index: 0, embedding: ['x'] }] }, 1, 'p')).toThrow(/malformed/)
    expect(() => parseEmbeddings({ object: 'list' }, 1, 'p')).toThrow(/without data/)
    expect(parseEmbeddings({ data: [{ embedding: [0.5] }] }, 1, 'p')).toEqual({ vectors: [[0.5]] })
  })
})
