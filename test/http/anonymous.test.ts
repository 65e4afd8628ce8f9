// Without any client key, only loopback callers are served; others learn how to create a key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.js'
import { isLoopback } from '../../src/http/body.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let app: TestApp
beforeAll(async () => {
  app = await startTestApp()
})
afterAll(() => app.close())

describe('anonymous access', () => {
  it('recognises loopback addresses only', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a)).toBe(true)
    for (const a of ['10.0.0.1', '192.168.1.2', '::ffff:10.1.1.1', 'fe80::1', undefined]) expect(isLoopback(a)).toBe(false)
  })

  it('serves a loopback caller with no key configured', async () => {
    expect((await fetch(`${app.baseURL}/models`)).status).toBe(200)
  })

  it('tells a remote caller how to create a key, unless ALLOW_ANONYMOUS opens the door', async () => {
    // app.request has no socket, so the caller is not on loopback.
    const remote = await createApp(app.services).request('/v1/models')
    expect(remote.status).toBe(401)
    expect(await remote.json()).toMatchObject({
      error: { type: 'authentication_error', code: 'invalid_api_key', message: expect.stringContaining('PUT http://<host>/api/key') },
    })
    const open = await startTestApp({ env: { ALLOW_ANONYMOUS: '1' } })
    try {
      expect((await createApp(open.services).request('/v1/models')).status).toBe(200)
    } finally {
      await open.close()
    }
  })
})
