// GET /v1/models lists what something can serve: a provider with a usable credential, a
// pass-through provider, an anonymous adapter or an operator-configured openai-compatible
// instance. Web chats without credentials are left out; ?all=true lists every routable name.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { providers as registry } from '../../providers/index.js'
import { defineProvider } from '../../src/kit/types.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

const ids = async (app: TestApp, query = '') => {
  const res = await fetch(`${app.baseURL}/models${query}`)
  return ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id)
}

describe('a fresh install', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(() => app.close())

  it('lists no web chat that has no credential, and everything with ?all=true', async () => {
    expect(await ids(app)).toEqual([])
    const all = await ids(app, '?all=true')
    expect(all).toEqual(expect.arrayContaining(['deepseek-chat', 'gpt-4o-mini', 'kimi']))
    expect(all.length).toBeGreaterThan(50)
  })

  it('GET /v1/models/{id} agrees, and says why a known model is missing', async () => {
    const missing = await app.openai().models.retrieve('gpt-4o-mini').catch((e) => e)
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError)
    expect(missing.message).toMatch(/gpt-4o-mini.*no provider with a usable credential/)
    expect((await app.openai().models.retrieve('nope').catch((e) => e)).message).toMatch(/does not exist/)
    const res = await fetch(`${app.baseURL}/models/gpt-4o-mini?all=true`)
    expect(await res.json()).toMatchObject({ id: 'gpt-4o-mini', object: 'model' })
  })
})

describe('what can serve', () => {
  let app: TestApp
  const anonymous = defineProvider({
    id: 'open-lab',
    defaultBaseUrl: 'http://127.0.0.1:9',
    create: (name) => ({
      id: name,
      credentialKind: 'token' as const,
      anonymous: true,
      models: [{ id: 'lab-model' }],
      // biome-ignore lint/correctness/useYield: never called; the listing is under test
      async *chat() {
        throw new Error('not called')
      },
    }),
  })
  beforeAll(async () => {
    app = await startTestApp({
      definitions: [...registry, anonymous],
      config: {
        providers: {
          'deepseek-web': { credentials: ['deepseek-user-token-1'] },
          'kimi-web': { passthrough_tokens: true },
          local: { type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', models: ['llama-local'] },
        },
        routes: { chat: ['deepseek-web:deepseek-chat', 'glm-web:glm-5'], thinker: ['glm-web:glm-5'] },
        aliases: { 'gpt-4o-mini': 'deepseek-chat', smart: 'thinker' },
      },
    })
  })
  afterAll(() => app.close())

  it('lists providers with a credential, pass-through, anonymous and configured instances', async () => {
    const listed = await ids(app)
    expect(listed).toEqual(expect.arrayContaining(['deepseek-chat', 'deepseek-chat-search', 'kimi', 'llama-local', 'lab-model']))
    for (const absent of ['glm-5', 'metaso', 'minimax', 'zhipu']) expect(listed).not.toContain(absent)
    // Nothing from HixAI: NextChat's title model goes where the alias sends it.
    expect(listed.filter((id) => id.startsWith('claude'))).toEqual([])
  })

  it('lists a route or alias when one of its targets is listed', async () => {
    const listed = await ids(app)
    expect(listed).toEqual(expect.arrayContaining(['chat', 'gpt-4o-mini']))
    expect(listed).not.toContain('thinker')
    expect(listed).not.toContain('smart')
    expect(await ids(app, '?all=true')).toEqual(expect.arrayContaining(['thinker', 'smart']))
  })

  it('drops a provider whose credentials are all disabled or invalid; cooling ones still count', async () => {
    const { store } = app.services.pool
    const [cred] = store.all('deepseek-web')
    const setStatus = (status: 'active' | 'cooling' | 'invalid' | 'disabled') =>
      store.update(cred!, { status, cooldownUntil: status === 'cooling' ? Date.now() + 60_000 : null })
    setStatus('cooling')
    expect(await ids(app)).toContain('deepseek-chat')
    setStatus('invalid')
    expect(await ids(app)).not.toContain('deepseek-chat')
    expect(await ids(app)).not.toContain('chat')
    setStatus('disabled')
    expect(await ids(app)).not.toContain('deepseek-chat')
    expect((await fetch(`${app.baseURL}/models/deepseek-chat`)).status).toBe(404)
    setStatus('active')
    expect(await ids(app)).toContain('deepseek-chat')
  })
})
