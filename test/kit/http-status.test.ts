// How HttpClient classifies answers that are not what an API sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpClient } from '../../src/kit/http.js'
import { type RunningServer, startServer } from '../helpers/fake-server.js'

let server: RunningServer
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/challenge') {
      res.writeHead(403, { 'content-type': 'text/html', 'cf-mitigated': 'challenge' })
      return res.end('<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>')
    }
    if (req.url === '/forbidden') {
      res.writeHead(403, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ error: { message: 'key revoked' } }))
    }
    if (req.url === '/hang') return // never answers
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
})
afterAll(() => server.close())

const client = () => new HttpClient({ provider: 'p', timeoutMs: 300 })

describe('HttpClient', () => {
  it('takes a 403 HTML page for a challenge or block page, not a verdict on the credential', async () => {
    await expect(client().ok(`${server.url}/challenge`)).rejects.toMatchObject({ kind: 'protocol', upstreamStatus: 403 })
    await expect(client().json(`${server.url}/challenge`)).rejects.toMatchObject({ kind: 'protocol', upstreamStatus: 403 })
  })

  it('still takes a 403 from the API for a rejected credential', async () => {
    await expect(client().ok(`${server.url}/forbidden`)).rejects.toMatchObject({ kind: 'credential_invalid', message: 'p: key revoked' })
    await expect(client().json(`${server.url}/forbidden`)).rejects.toMatchObject({ kind: 'credential_invalid' })
  })

  it('times out a JSON call even when the caller passes its own signal', async () => {
    const signal = new AbortController().signal
    await expect(client().json(`${server.url}/hang`, { signal })).rejects.toMatchObject({ kind: 'timeout' })
    expect(await client().json(`${server.url}/ok`, { signal })).toEqual({ ok: true })
  })
})
