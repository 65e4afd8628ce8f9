// The probe contract, for every adapter: a credential is reported bad (resolved `ok: false`, or a
// thrown credential_invalid) only when the upstream definitely rejected it. An upstream that
// cannot be reached, times out, answers 5xx or a Cloudflare challenge page makes the probe throw a
// typed error of another kind, so the core never disables a credential for what it could not see.
import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '../src/kit/errors.js'
import type { CredentialHealth, ProviderDefinition } from '../src/kit/types.js'
import { createAdapter, makeContext } from '../test/helpers/adapter-context.js'
import { type RunningServer, startServer } from '../test/helpers/fake-server.js'
import { makeKimiJwt } from '../test/fakes/kimi-web.js'
import cozeApi from './coze-api/index.js'
import dashscopeApi from './dashscope-api/index.js'
import deepseekWeb from './deepseek-web/index.js'
import doubaoWeb from './doubao-web/index.js'
import glmWeb from './glm-web/index.js'
import hixaiWeb from './hixai-web/index.js'
import kimiWeb from './kimi-web/index.js'
import metasoWeb from './metaso-web/index.js'
import minimaxWeb from './minimax-web/index.js'
import openaiCompatible from './openai-compatible/index.js'
import qwenWeb from './qwen-web/index.js'
import geminiApi from './gemini-api/index.js'
import sunoApi from './suno-api/index.js'

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

interface Case {
  name: string
  def: ProviderDefinition<any>
  secret: string
  /** Settings beyond the common ones; `URL` stands for the test server's origin. */
  settings?: Record<string, unknown>
}

const cases: Case[] = [
  { name: 'openai-compatible', def: openaiCompatible, secret: 'sk-probe' },
  { name: 'coze-api', def: cozeApi, secret: 'pat_probe_token_123456', settings: { bots: { echo: '7000000000000000001' } } },
  { name: 'dashscope-api', def: dashscopeApi, secret: 'sk-probe' },
  { name: 'deepseek-web', def: deepseekWeb, secret: 'user-token-a' },
  { name: 'doubao-web', def: doubaoWeb, secret: 'sessionid=sid-valid-1' },
  { name: 'glm-web', def: glmWeb, secret: 'rt-good' },
  { name: 'hixai-web', def: hixaiWeb, secret: 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..abc_DEF-123' },
  { name: 'kimi-web (access token)', def: kimiWeb, secret: makeKimiJwt({ sub: 'user-7' }), settings: { legacy_base_url: 'URL' } },
  { name: 'kimi-web (refresh token)', def: kimiWeb, secret: 'refresh-token-7', settings: { legacy_base_url: 'URL' } },
  { name: 'metaso-web', def: metasoWeb, secret: `${'a'.repeat(24)}-${'b'.repeat(32)}` },
  { name: 'minimax-web (agent)', def: minimaxWeb, secret: `${b64({ alg: 'HS256' })}.${b64({ user: { id: '1001' } })}.c2ln` },
  {
    name: 'minimax-web (hailuo)',
    def: minimaxWeb,
    secret: `${b64({ alg: 'HS256' })}.${b64({ user: { id: '1001' } })}.c2ln`,
    settings: { flow: 'hailuo', hailuo_url: 'URL' },
  },
  { name: 'qwen-web (qianwen)', def: qwenWeb, secret: 'tongyi_sso_ticket=ticket-1; XSRF-TOKEN=xsrf-1', settings: { site: 'qianwen', api_url: 'URL' } },
  { name: 'gemini-api', def: geminiApi, secret: 'AIza-probe' },
  { name: 'suno-api', def: sunoApi, secret: 'suno-probe' },
  { name: 'qwen-web (tongyi)', def: qwenWeb, secret: 'tongyi_sso_ticket=ticket-1; XSRF-TOKEN=xsrf-1', settings: { site: 'tongyi', tongyi_url: 'URL' } },
]

type Reply = (res: ServerResponse) => void
const replies: Record<string, Reply> = {
  '502 HTML page': (res) => {
    res.writeHead(502, { 'content-type': 'text/html' })
    res.end('<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>')
  },
  '503 JSON error': (res) => {
    res.writeHead(503, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ code: 503, msg: 'service unavailable', message: 'service unavailable' }))
  },
  'Cloudflare challenge': (res) => {
    res.writeHead(403, { 'content-type': 'text/html; charset=UTF-8', 'cf-mitigated': 'challenge' })
    res.end('<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>challenge-platform</body></html>')
  },
  '200 HTML page': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<!DOCTYPE html><html><head><title>Wi-Fi login</title></head><body>Accept the terms to continue</body></html>')
  },
  'no answer': () => undefined, // the probe's timeout ends it
}

const rejected: Reply = (res) => {
  res.writeHead(401, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ code: 401, msg: 'unauthorized', message: 'unauthorized', error: { message: 'unauthorized' } }))
}

let reply: Reply = rejected
let server: RunningServer
let closedUrl: string

beforeAll(async () => {
  server = await startServer((_req, res) => reply(res))
  const closed = await startServer(() => undefined)
  closedUrl = closed.url
  await closed.close()
})
afterAll(() => server.close())

function probe(c: Case, url: string): Promise<CredentialHealth> {
  const extra = Object.fromEntries(Object.entries(c.settings ?? {}).map(([k, v]) => [k, v === 'URL' ? url : v]))
  const adapter = createAdapter(c.def, url, extra)
  const settings = { ...(c.def.settings?.parse(extra) as object), ...extra, timeout_ms: 300, idle_timeout_ms: 300 }
  const secret = adapter.normalizeSecret ? adapter.normalizeSecret(c.secret) : c.secret
  return adapter.probe!(makeContext({ baseUrl: url, secret, settings }))
}

/** What the probe did: resolved (with its health) or threw (with the failure kind). */
async function outcome(p: Promise<CredentialHealth>): Promise<{ resolved?: CredentialHealth; kind?: string }> {
  try {
    return { resolved: await p }
  } catch (err) {
    return { kind: err instanceof UpstreamError ? err.kind : `untyped ${(err as Error)?.name}: ${(err as Error)?.message}` }
  }
}

describe.each(cases)('$name probe', (c) => {
  it.each(Object.keys(replies))('throws a typed non-credential error on a %s', async (name) => {
    reply = replies[name]!
    const result = await outcome(probe(c, server.url))
    expect(result.resolved).toBeUndefined()
    expect(['unavailable', 'timeout', 'protocol']).toContain(result.kind)
  })

  it('throws a typed non-credential error when the connection is refused', async () => {
    const result = await outcome(probe(c, closedUrl))
    expect(result).toEqual({ kind: 'unavailable' })
  })

  it('reports a credential the upstream rejects with 401 as bad', async () => {
    reply = rejected
    const result = await outcome(probe(c, server.url))
    if (result.resolved) expect(result.resolved.ok).toBe(false)
    else expect(result.kind).toBe('credential_invalid')
  })
})
