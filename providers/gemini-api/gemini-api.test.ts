// gemini-api's key probe against the fake Gemini API (the relay path is in gemini-api.e2e.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type FakeGemini, GEMINI_KEY, startFakeGemini } from '../../test/fakes/gemini-api.js'
import { createAdapter, makeContext } from '../../test/helpers/adapter-context.js'
import gemini, { normalizeSecret } from './index.js'

let fake: FakeGemini
beforeEach(async () => {
  fake = await startFakeGemini()
})
afterEach(() => fake.close())

const probe = (secret: string) => {
  const base = `${fake.url}/v1beta`
  return createAdapter(gemini, base).probe!(makeContext({ baseUrl: base, secret, settings: { headers: {} } }))
}

describe('gemini-api probe', () => {
  it('a good key lists models; a wrong one is refused as Google refuses it (400 API_KEY_INVALID)', async () => {
    expect(await probe(GEMINI_KEY)).toEqual({ ok: true })
    expect(await probe('AIza-wrong')).toMatchObject({ ok: false, reason: expect.stringContaining('API key not valid') })
  })

  it('pasted keys lose their header name', () => {
    expect(normalizeSecret(` x-goog-api-key: ${GEMINI_KEY} `)).toBe(GEMINI_KEY)
  })
})
