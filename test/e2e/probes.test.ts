// Probes decide nothing they could not see: only a definite answer from the upstream (a resolved
// {ok:false} or a thrown credential_invalid) marks a credential invalid, quota_exhausted cools it,
// and a probe that could not run (network, DNS, Cloudflare, 5xx, timeout, a bug) changes nothing.
// A credential added while its probe could not run is stored with verified: false.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { providers } from '../../providers/index.js'
import { healAll } from '../../src/core/credential-service.js'
import { credentialInvalid, quotaExhausted, upstreamTimeout, upstreamUnavailable } from '../../src/kit/errors.js'
import type { CredentialHealth, DeltaEvent } from '../../src/kit/types.js'
import { defineProvider } from '../../src/kit/types.js'
import { startServer } from '../helpers/fake-server.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

type Verdict = 'ok' | 'reject' | 'throw-invalid' | 'throw-quota' | 'refused' | 'unreachable' | 'timeout' | 'bug'
let verdict: Verdict = 'ok'
const probed: string[] = []
/** A loopback port nothing listens on: the kit's HTTP client reports a refused connection. */
let closedUrl = ''

const probing = defineProvider<Record<string, unknown>>({
  id: 'probe-web',
  defaultBaseUrl: 'http://127.0.0.1:9',
  create: (name) => ({
    id: name,
    credentialKind: 'token' as const,
    models: [{ id: 'probe-model' }],
    async *chat(): AsyncGenerator<DeltaEvent> {
      yield { type: 'text', text: 'hello' }
      yield { type: 'finish', reason: 'stop' }
    },
    async probe(ctx): Promise<CredentialHealth> {
      probed.push(ctx.credential.secret)
      switch (verdict) {
        case 'ok':
          return { ok: true, account: 'me@example.com' }
        case 'reject':
          return { ok: false, reason: 'token expired' }
        case 'throw-invalid':
          throw credentialInvalid('probe-web: 401 token revoked')
        case 'throw-quota':
          throw quotaExhausted('probe-web: no credit left', { retryAfterMs: 120_000 })
        case 'refused':
          await ctx.http.json(`${closedUrl}/v1/me`, { signal: ctx.signal })
          return { ok: true }
        case 'unreachable':
          throw upstreamUnavailable('probe-web unreachable: getaddrinfo ENOTFOUND probe.example')
        case 'timeout':
          throw upstreamTimeout('probe-web did not answer in time')
        case 'bug':
          throw new TypeError("Cannot read properties of undefined (reading 'data')")
      }
    },
  }),
})

let app: TestApp

beforeAll(async () => {
  const gone = await startServer(() => undefined)
  await gone.close()
  closedUrl = gone.url
  app = await startTestApp({ definitions: [...providers, probing], config: { providers: { 'probe-web': {} } } })
})
afterAll(async () => {
  await app.close()
})

const add = async (secret: string, provider = 'probe-web') => app.admin('PUT', '/credential', { provider, secret })
const listed = async (provider: string) => (await app.admin('GET', `/credential?provider=${provider}`)).json.data as Record<string, unknown>[]
const byId = (id: string) => app.services.pool.find(Number(id))!

describe('adding a credential', () => {
  it('stores it unverified when the upstream cannot be reached (connection refused), instead of refusing it', async () => {
    verdict = 'refused'
    const res = await add('tok-far-away')
    expect(res.status).toBe(200)
    expect(res.json.data).toMatchObject({ provider: 'probe-web', status: 'active', verified: false, verifyError: expect.stringMatching(/^probe-web unreachable: /) })
    expect(await listed('probe-web')).toMatchObject([{ id: res.json.data.id, verified: false }])
    expect((await app.admin('GET', '/cookie/all')).json.data.find((c: { id: string }) => c.id === res.json.data.id)).toMatchObject({ verified: false })
  })

  it.each(['unreachable', 'timeout', 'bug'] as const)('stores it unverified when the probe throws %s', async (v) => {
    verdict = v
    const res = await add(`tok-${v}`)
    expect(res.status).toBe(200)
    expect(res.json.data).toMatchObject({ status: 'active', verified: false })
  })

  it.each(['reject', 'throw-invalid'] as const)('refuses it with 422 when the upstream rejects it (%s)', async (v) => {
    verdict = v
    const res = await add(`tok-rejected-${v}`)
    expect(res.status).toBe(422)
    expect(res.json.message).toMatch(/^probe-web rejected the credential: (token expired|probe-web: 401 token revoked)$/)
  })

  it('stores a valid credential that is out of credit as verified and cooling', async () => {
    verdict = 'throw-quota'
    const before = Date.now()
    const res = await add('tok-broke')
    expect(res.status).toBe(200)
    expect(res.json.data).toMatchObject({ status: 'cooling', verified: true, lastError: 'probe-web: no credit left' })
    expect(byId(res.json.data.id).cooldownUntil).toBeGreaterThanOrEqual(before + 120_000)
  })

  it('a later successful probe marks it verified', async () => {
    verdict = 'unreachable'
    const { json } = await add('tok-later')
    const stuck = await app.admin('POST', `/credential/${json.data.id}/probe`)
    expect(stuck.json.data).toMatchObject({ credential: { verified: false, status: 'active' }, health: null, error: expect.stringMatching(/ENOTFOUND/) })
    verdict = 'ok'
    const probe = await app.admin('POST', `/credential/${json.data.id}/probe`)
    expect(probe.json.data).toMatchObject({ credential: { verified: true, status: 'active', account: 'me@example.com' }, health: { ok: true } })
    expect((await listed('probe-web')).find((c) => c.id === json.data.id)).toMatchObject({ verified: true })
  })
})

describe('periodic probes follow the same rule', () => {
  it('leave a credential as it was when they cannot run, and act on definite answers', async () => {
    verdict = 'ok'
    const { json } = await add('tok-periodic')
    const c = byId(json.data.id)
    expect(c).toMatchObject({ status: 'active', verified: true })
    for (const v of ['unreachable', 'timeout', 'bug'] as const) {
      verdict = v
      await healAll(app.services, { all: true })
      expect(c).toMatchObject({ status: 'active', verified: true, lastError: null })
    }
    verdict = 'throw-invalid'
    await healAll(app.services, { all: true })
    expect(c).toMatchObject({ status: 'invalid', lastError: 'probe-web: 401 token revoked' })
    verdict = 'unreachable'
    await healAll(app.services)
    expect(c.status).toBe('invalid')
    verdict = 'ok'
    await healAll(app.services)
    expect(c).toMatchObject({ status: 'active', verified: true, lastError: null })
  })

  it('re-test unverified credentials (not only invalid ones) until one answer verifies them', async () => {
    verdict = 'unreachable'
    const { json } = await add('tok-unverified')
    probed.length = 0
    verdict = 'ok'
    await healAll(app.services)
    expect(probed).toContain('tok-unverified')
    expect(byId(json.data.id).verified).toBe(true)
  })
})

describe('a served request verifies a credential too', () => {
  it('marks an unverified credential verified once it served a request', async () => {
    verdict = 'unreachable'
    const { json } = await add('tok-served')
    for (const c of app.services.pool.entries('probe-web')) if (c.id !== Number(json.data.id)) await app.admin('POST', `/credential/${c.id}/enable`, { enabled: false })
    const res = await app.openai().chat.completions.create({ model: 'probe-model', messages: [{ role: 'user', content: 'hi' }] })
    expect(res.choices[0]!.message.content).toBe('hello')
    expect(byId(json.data.id).verified).toBe(true)
  })
})
