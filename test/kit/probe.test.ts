import { describe, expect, it } from 'vitest'
import { credentialInvalid, quotaExhausted, upstreamTimeout, upstreamUnavailable } from '../../src/kit/errors.js'
import { runProbe } from '../../src/kit/probe.js'

const failing = (err: unknown) => () => Promise.reject(err)

describe('runProbe', () => {
  it('passes a verdict through', async () => {
    expect(await runProbe('p', async () => ({ ok: true, account: 'a' }))).toEqual({ ok: true, account: 'a' })
  })

  it('turns only a definite rejection into ok:false', async () => {
    expect(await runProbe('p', failing(credentialInvalid('p: token expired')))).toEqual({ ok: false, reason: 'p: token expired' })
  })

  it('throws every other typed failure unchanged', async () => {
    for (const err of [upstreamUnavailable('p: 502'), upstreamTimeout('p: slow'), quotaExhausted('p: no credit')])
      await expect(runProbe('p', failing(err))).rejects.toBe(err)
  })

  it('throws an untyped failure as a protocol error naming the provider', async () => {
    await expect(runProbe('p', failing(new TypeError("Cannot read properties of undefined (reading 'user')")))).rejects.toMatchObject({
      kind: 'protocol',
      provider: 'p',
      message: expect.stringContaining("reading 'user'"),
    })
  })

  it('lets an abort through as it is', async () => {
    const abort = new DOMException('aborted', 'AbortError')
    await expect(runProbe('p', failing(abort))).rejects.toBe(abort)
  })
})
