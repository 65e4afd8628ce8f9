// SIGTERM's graceful shutdown: running answers may finish within the grace period; those still
// running after it end with a final error event and [DONE], and are billed for what was sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { grantTokens } from '../../src/db/users.repo.js'
import { estimatePromptTokens, estimateTextTokens } from '../../src/kit/tokens.js'
import { shutdownGracefully } from '../../src/shutdown.js'
import { type FakeOpenAI, FAKE_ANSWER, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor } from '../helpers/compat.js'
import { sqliteOf } from '../../src/db/client.js'

/** `data:` payloads of an OpenAI stream, [DONE] as a string. */
const sseData = (text: string): any[] =>
  text
    .split('\n\n')
    .map((block) => block.split('\n').find((l) => l.startsWith('data: '))?.slice(6))
    .filter((d): d is string => d !== undefined)
    .map((d) => (d === '[DONE]' ? d : JSON.parse(d)))

let fake: FakeOpenAI
let app: TestApp

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: {
      providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['hang', 'pause'] } },
      billing: { prices: { hang: { prompt: 1000, completion: 1000 }, pause: { per_call: 1 } } },
    },
  })
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const hi = [{ role: 'user' as const, content: 'hi' }]

async function openStream(key: string, model: string) {
  const res = await fetch(`${app.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: hi, stream: true }),
  })
  const reader = res.body!.getReader()
  let text = new TextDecoder().decode((await reader.read()).value)
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return text
      text += new TextDecoder().decode(value)
    }
  })()
  return { res, rest }
}

describe('graceful shutdown', () => {
  it('lets a short answer finish, ends a hanging one with an error event, and bills what was sent', async () => {
    const key = await keyFor(app, 'sid')
    await grantTokens(app.services.db, 'sid', 10_000)
    const hanging = await openStream(key, 'hang')
    const finishing = await openStream(key, 'pause')
    const requestId = hanging.res.headers.get('x-request-id')!
    await shutdownGracefully(app.services, app.server, app.app.serving.inflight, 1500)

    const finished = sseData(await finishing.rest)
    expect(finished.at(-1)).toBe('[DONE]')
    expect(finished.map((c) => c.choices?.[0]?.delta?.content ?? '').join('')).toBe(FAKE_ANSWER.join(''))

    const cut = sseData(await hanging.rest)
    expect(cut.at(-1)).toBe('[DONE]')
    expect(cut.at(-2)).toEqual({ error: { message: expect.stringContaining('shutting down'), type: 'api_error', param: null, code: 'shutting_down' } })
    const sent = cut.map((c) => c.choices?.[0]?.delta?.content ?? '').join('')
    expect(sent).toBe('…')

    // The database was closed after the rows were written: read them from a fresh connection.
    expect(sqliteOf(app.services.db).open).toBe(false)
    const db = new Database(app.services.config.database.path, { readonly: true })
    const row = db.prepare('select status, error_class as errorClass, charged from usage_records where request_id = ?').get(requestId)
    const user = db.prepare('select avail_token as available from users where user_id = ?').get('sid') as { available: number }
    const holds = db.prepare('select count(*) as n from billing_holds').get() as { n: number }
    db.close()
    const charged = estimatePromptTokens(hi) + estimateTextTokens('…')
    expect(row).toEqual({ status: 503, errorClass: 'shutting_down', charged })
    expect(holds.n).toBe(0)
    expect(user.available).toBeLessThan(10_000 - charged) // the finished answer was billed too
  })
})
