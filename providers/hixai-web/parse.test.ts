import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { UpstreamError } from '../../src/kit/errors.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { byteByByte, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { ChatGoneError, creditsOf, envelopeError, httpFailure, isCloudflarePage, parseStreamLine, streamResults, trpcResults } from './parse.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))

async function replay(chunks: readonly Uint8Array[]) {
  const events: DeltaEvent[] = []
  let done = false
  for await (const r of streamResults(streamOf(chunks))) {
    events.push(...r.events)
    done ||= r.done
  }
  return { events, done }
}

/** Adjacent deltas of one kind merged, to state the expected text plainly. */
function merged(events: DeltaEvent[]) {
  const out: { type: string; text: string }[] = []
  for (const e of events) {
    if (e.type !== 'text' && e.type !== 'reasoning') continue
    const prev = out[out.length - 1]
    if (prev?.type === e.type) prev.text += e.text
    else out.push({ type: e.type, text: e.text })
  }
  return out
}

async function expectSameEverySplit(name: string) {
  const bytes = fixture(name)
  const whole = await replay([bytes])
  for (const parts of everySplit(bytes)) expect(await replay(parts)).toEqual(whole)
  expect(await replay(byteByByte(bytes))).toEqual(whole)
  return whole
}

async function failureOf(p: Promise<unknown>) {
  try {
    await p
  } catch (err) {
    return err as UpstreamError
  }
  throw new Error('expected a failure')
}

describe('hixai-web stream parsing', () => {
  it('reads reasoning, thinking_time, content and [DONE], ignoring other lines, at every split', async () => {
    const { events, done } = await expectSameEverySplit('reasoning.sse')
    expect(done).toBe(true)
    expect(merged(events)).toEqual([
      { type: 'reasoning', text: '用户问北京天气，先查一下。' },
      { type: 'text', text: '北京今天晴，气温 20°C 🌞。' },
    ])
  })

  it('reads CRLF-framed streams with unknown keys and id lines', async () => {
    const { events, done } = await expectSameEverySplit('content-crlf.sse')
    expect(done).toBe(true)
    expect(merged(events)).toEqual([{ type: 'text', text: 'Hello, 世界!' }])
  })

  it('accepts a stream that ends without [DONE]', async () => {
    const { events, done } = await expectSameEverySplit('no-done.sse')
    expect(done).toBe(false)
    expect(merged(events)).toEqual([{ type: 'text', text: '没有结束标记也能收尾' }])
  })

  it('stops reading at [DONE]', async () => {
    const { events } = await expectSameEverySplit('after-done.sse')
    expect(merged(events)).toEqual([{ type: 'text', text: '答' }])
  })

  it.each(['not-login.json', 'not-login-line.sse'])('turns %s into credential_invalid at every split', async (name) => {
    for (const parts of everySplit(fixture(name))) {
      const err = await failureOf(replay(parts))
      expect(err).toBeInstanceOf(UpstreamError)
      expect(err.kind).toBe('credential_invalid')
      expect(err.message).toContain('not login')
    }
  })

  it('treats a Cloudflare page inside the stream as a protocol error naming PROXY_URL', () => {
    expect(() => parseStreamLine('<script>window._cf_chl_opt={cType: "managed"}</script>')).toThrow(/Cloudflare.*PROXY_URL/)
  })
})

describe('hixai-web failure classification', () => {
  const cfPage = '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>'

  it('recognises Cloudflare by page or header', () => {
    expect(isCloudflarePage(cfPage)).toBe(true)
    expect(isCloudflarePage('<html>ok</html>', 'challenge')).toBe(true)
    expect(isCloudflarePage('<html>ok</html>')).toBe(false)
  })

  it.each([
    [403, cfPage, undefined, 'protocol', /Cloudflare challenge.*PROXY_URL/],
    [503, '<html></html>', 'challenge', 'protocol', /Cloudflare/],
    [403, '<html><h1>403 Forbidden</h1></html>', undefined, 'protocol', /Forbidden.*PROXY_URL/],
    [403, '{"message":"forbidden"}', undefined, 'credential_invalid', /Forbidden/],
    [401, '', undefined, 'credential_invalid', /not login/],
    [429, '', undefined, 'rate_limited', /too many/],
    [502, 'bad gateway', undefined, 'unavailable', /HTTP 502/],
  ])('HTTP %i %s → %s', (status, body, cf, kind, message) => {
    const err = httpFailure(status, body, cf) as UpstreamError
    expect(err.kind).toBe(kind)
    expect(err.message).toMatch(message)
  })

  const trpc = (code: string, rpc: number, extra: Record<string, unknown> = {}) =>
    JSON.stringify([{ error: { json: { message: code, code: rpc, data: { code, httpStatus: 400, path: 'hixChat.createChat', ...extra } } } }])

  it.each([
    [trpc('UNAUTHORIZED', -32001), 'credential_invalid'],
    [trpc('FORBIDDEN', -32003, { usageType: 'ADVANCED' }), 'quota_exhausted'],
    [trpc('FORBIDDEN', -32003), 'credential_invalid'],
    [trpc('TOO_MANY_REQUESTS', -32029), 'rate_limited'],
    [trpc('BAD_REQUEST', -32600), 'invalid_request'],
    [trpc('INTERNAL_SERVER_ERROR', -32603), 'unavailable'],
  ])('tRPC error %s → %s', (body, kind) => {
    expect((httpFailure(400, body) as UpstreamError).kind).toBe(kind)
    expect(() => trpcResults(body)).toThrow(UpstreamError)
  })

  it.each([
    [{ status: -5, message: 'not login', data: {} }, 'credential_invalid'],
    [{ status: -3, message: 'Insufficient credits, please upgrade your plan' }, 'quota_exhausted'],
    [{ status: -1, message: 'Too many requests, slow down' }, 'rate_limited'],
    [{ status: -1, message: 'something odd' }, 'unavailable'],
  ])('envelope %j → %s', (env, kind) => {
    expect((envelopeError(env) as UpstreamError).kind).toBe(kind)
  })

  it('names a missing chat so the adapter can start a new one', () => {
    expect(envelopeError({ status: -1, message: 'chat not found' })).toBeInstanceOf(ChatGoneError)
  })

  it('rejects a reply that is not a tRPC batch', () => {
    expect(() => trpcResults('{"ok":true}')).toThrow(/tRPC batch/)
    expect(() => trpcResults(cfPage)).toThrow(/Cloudflare/)
  })
})

describe('hixai-web credits', () => {
  it('reads standard and advanced credit from typed rows', () => {
    const usage = {
      isActiveSub: true,
      usageList: [
        { usage_type: 'ADVANCED', total_count: 50, use_count: 5 },
        { usage_type: 'STANDARD', total_count: 1000, use_count: 250 },
      ],
    }
    expect(creditsOf(usage)).toEqual({ credit: 750, advancedCredit: 45, subscribed: true })
  })

  it('falls back to row order and ignores advanced credit without a subscription', () => {
    const usage = { isActiveSub: false, usageList: [{ total_count: 30, use_count: 31 }, { total_count: 9, use_count: 1 }] }
    expect(creditsOf(usage)).toEqual({ credit: 0, advancedCredit: 0, subscribed: false })
    expect(creditsOf(undefined)).toEqual({ credit: 0, advancedCredit: 0, subscribed: false })
  })
})
