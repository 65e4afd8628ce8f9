// A balance can be spent to the end and never past it: the reservation takes the prompt and what
// the balance still affords, the upstream is told that limit, and an upstream that takes no
// limit (a web chat) is cut there with finish_reason "length".
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findUser, grantTokens, holdsOf } from '../../src/db/users.repo.js'
import { estimatePromptTokens } from '../../src/kit/tokens.js'
import { type DeltaEvent, defineProvider } from '../../src/kit/types.js'
import { providers } from '../../providers/index.js'
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor, waitFor } from '../helpers/compat.js'

/** A web chat that takes no max_tokens and talks until it is stopped (or 2,000 words). */
let talkyStopped = 0
const talky = defineProvider<Record<string, unknown>>({
  id: 'talky-web',
  defaultBaseUrl: 'http://127.0.0.1:9',
  create: (name) => ({
    id: name,
    credentialKind: 'token',
    models: [{ id: 'talky' }],
    async *chat(): AsyncGenerator<DeltaEvent> {
      try {
        for (let i = 0; i < 2000; i++) yield { type: 'text', text: ' word' }
        yield { type: 'finish', reason: 'stop' }
      } finally {
        talkyStopped++
      }
    },
  }),
})

let fake: FakeOpenAI
let app: TestApp
const hi = [{ role: 'user' as const, content: 'hi' }]
const perToken = { prompt: 1000, completion: 1000 } // one balance unit per token

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    definitions: [...providers, talky],
    config: {
      providers: {
        up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model'] },
        'talky-web': { credentials: ['acct'] },
      },
      billing: { prices: { 'fake-model': perToken, talky: perToken } },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const balance = async (user: string) => (await findUser(app.services.db, user))!.availToken

describe('a small balance', () => {
  it('answers a short question instead of refusing it, and tells the upstream what it affords', async () => {
    const client = app.openai(await keyFor(app, 'kim'))
    await grantTokens(app.services.db, 'kim', 1000)
    const res = await client.chat.completions.create({ model: 'fake-model', messages: hi })
    expect(res.choices[0]!.message.content).toBeTruthy()
    expect(fake.requests.at(-1)!.body.max_tokens).toBe(1000 - estimatePromptTokens(hi))
    expect(await balance('kim')).toBe(1000 - res.usage!.total_tokens)
    expect(await holdsOf(app.services.db, 'kim')).toEqual([])
  })

  it("keeps the client's limit when the balance affords it, under the name the client used", async () => {
    const client = app.openai(await keyFor(app, 'lou'))
    await grantTokens(app.services.db, 'lou', 100_000)
    await client.chat.completions.create({ model: 'fake-model', messages: hi, max_tokens: 50 })
    expect(fake.requests.at(-1)!.body).toMatchObject({ max_tokens: 50 })
    await client.chat.completions.create({ model: 'fake-model', messages: hi, max_completion_tokens: 60 })
    const sent = fake.requests.at(-1)!.body
    expect(sent.max_completion_tokens).toBe(60)
    expect(sent).not.toHaveProperty('max_tokens')
    // No limit asked and plenty of balance: none is sent (upstreams refuse limits above their maximum).
    await client.chat.completions.create({ model: 'fake-model', messages: hi })
    expect(fake.requests.at(-1)!.body).not.toHaveProperty('max_tokens')
  })

  it('cuts a web chat that takes no limit where the balance ends, with finish_reason length', async () => {
    const client = app.openai(await keyFor(app, 'max'))
    await grantTokens(app.services.db, 'max', 120)
    const stopped = talkyStopped
    const stream = await client.chat.completions.create({ model: 'talky', messages: hi, stream: true })
    let text = ''
    let finish: string | null | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(finish).toBe('length')
    const words = text.split(' word').length - 1
    expect(words).toBeGreaterThan(50)
    expect(words).toBeLessThan(2000)
    await waitFor(() => talkyStopped > stopped) // the upstream was stopped, not read to its end
    await waitFor(async () => (await holdsOf(app.services.db, 'max')).length === 0)
    expect(await balance('max')).toBeGreaterThanOrEqual(0)
    expect(await balance('max')).toBeLessThan(10)
  })

  it('refuses with 402 only when the prompt and a minimal answer do not fit', async () => {
    const client = app.openai(await keyFor(app, 'ned'))
    await grantTokens(app.services.db, 'ned', estimatePromptTokens(hi) + 10)
    const err = await client.chat.completions.create({ model: 'fake-model', messages: hi }).catch((e) => e)
    expect(err.status).toBe(402)
    expect(err.error).toMatchObject({ code: 'insufficient_quota' })
    await grantTokens(app.services.db, 'ned', 6)
    const ok = await client.chat.completions.create({ model: 'fake-model', messages: hi })
    expect(ok.choices[0]!.message.content).toBeTruthy()
    expect(await balance('ned')).toBeGreaterThanOrEqual(0)
  })

  it('parallel turns share what is left and never overspend it', async () => {
    const client = app.openai(await keyFor(app, 'ola'))
    await grantTokens(app.services.db, 'ola', 300)
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => client.chat.completions.create({ model: 'talky', messages: hi, stream: false })),
    )
    const ok = results.filter((r) => r.status === 'fulfilled')
    expect(ok.length).toBeGreaterThan(0)
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { status: number }).status).toBe(402)
    await waitFor(async () => (await holdsOf(app.services.db, 'ola')).length === 0)
    expect(await balance('ola')).toBeGreaterThanOrEqual(0)
    expect(await balance('ola')).toBeLessThan(300)
  })
})
