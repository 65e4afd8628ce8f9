import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { byteByByte, drain, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { classifyEnvelope, cumulativeDelta, newGlmState, parseGlmEvent, parseGlmStream } from './parse.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))
const text = (evs: DeltaEvent[]) => evs.map((e) => (e.type === 'text' ? e.text : '')).join('')
const reasoning = (evs: DeltaEvent[]) => evs.map((e) => (e.type === 'reasoning' ? e.text : '')).join('')

describe('cumulativeDelta', () => {
  it('emits only the growth of a cumulative value', () => {
    expect(cumulativeDelta('北京', '北京今天')).toBe('今天')
    expect(cumulativeDelta('', 'abc')).toBe('abc')
  })
  it('emits nothing when the value shrinks and only the new tail when it is rewritten', () => {
    expect(cumulativeDelta('北京今天', '北京')).toBe('')
    expect(cumulativeDelta('abcX', 'abcYZ')).toBe('YZ')
  })
})

describe('parseGlmStream on the full fixture', () => {
  const bytes = fixture('stream-full.sse')

  it('turns cumulative think, search, code, output, text and image into deltas', async () => {
    const events = await drain(parseGlmStream(streamOf([bytes]), { assistantId: '65940acff94777010aa6b796' }))
    expect(events[0]).toEqual({ type: 'conversation', id: '6620ab12cd34ef56ab78cd90', parentId: '65940acff94777010aa6b796' })
    expect(reasoning(events)).toBe('用户问的是北京天气，需要搜索。')
    expect(events.filter((e) => e.type === 'citations')).toEqual([
      {
        type: 'citations',
        items: [
          { url: 'https://weather.example.cn/beijing', title: '北京天气预报' },
          { url: 'https://en.example.com/bj', title: 'Beijing weather' },
        ],
      },
    ])
    expect(text(events)).toBe(
      '\n```python\nprint("气温", 20)\n```\n' +
        '\n```\n气温 20\n```\n' +
        '北京今天晴，气温20度。🌞 Have a nice day!' +
        '\n![image](https://img.example.cn/sun.png)\n',
    )
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    expect(events.filter((e) => e.type === 'finish')).toHaveLength(1)
  })

  it('gives identical events for every split of the bytes and byte by byte', async () => {
    const whole = await drain(parseGlmStream(streamOf([bytes])))
    const expected = JSON.stringify(whole)
    for (const chunks of everySplit(bytes)) {
      const got = JSON.stringify(await drain(parseGlmStream(streamOf(chunks))))
      if (got !== expected) expect(got).toBe(expected) // compare cheaply, report fully
    }
    expect(await drain(parseGlmStream(streamOf(byteByByte(bytes))))).toEqual(whole)
  }, 60_000) // 16 KB split at each of its 16 000 boundaries: ~6 s alone, several times that in a loaded full run
})

describe('intervene', () => {
  it('ends with the censor notice and content_filter, with CRLF framing split anywhere', async () => {
    const bytes = fixture('stream-intervene.sse')
    for (const chunks of everySplit(bytes)) {
      const evs = await drain(parseGlmStream(streamOf(chunks)))
      expect(text(evs)).toBe('关于这个问题这个问题我无法回答。')
      expect(evs.at(-1)).toEqual({ type: 'finish', reason: 'content_filter' })
    }
  })
})

describe('parseGlmEvent', () => {
  it('ignores non-JSON payloads and unknown item types', () => {
    const state = newGlmState()
    expect(parseGlmEvent('not json', state)).toEqual([])
    const unknown = { parts: [{ content: [{ type: 'mystery', text: 'x' }] }] }
    expect(parseGlmEvent(JSON.stringify(unknown), state)).toEqual([])
  })

  it('throws a classified error for a stream-level error status', () => {
    const state = newGlmState()
    const ev = { status: 'error', last_error: { message: '请求过于频繁' } }
    expect(() => parseGlmEvent(JSON.stringify(ev), state)).toThrow(expect.objectContaining({ kind: 'rate_limited' }))
  })

  it('finishes a stream that closes without its end marker once an answer arrived', async () => {
    const body = `data: ${JSON.stringify({ conversation_id: 'c'.repeat(24), status: 'init', parts: [{ content: [{ type: 'text', text: '半' }] }] })}\n\n`
    const evs = await drain(parseGlmStream(streamOf([body])))
    expect(text(evs)).toBe('半')
    expect(evs.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('rejects a stream that ends before any answer', async () => {
    await expect(drain(parseGlmStream(streamOf(['data: {}\n\n'])))).rejects.toMatchObject({ kind: 'protocol' })
  })
})

describe('classifyEnvelope', () => {
  const kind = (env: Record<string, unknown>, status = 200) => classifyEnvelope(env, status).kind
  it('maps GLM failures to pool actions', () => {
    expect(kind({ code: 10001, message: 'refresh token expired 40102' })).toBe('credential_invalid')
    expect(kind({ code: 401, message: 'token invalid' })).toBe('credential_invalid')
    expect(kind({ code: -2001, message: 'bad request' })).toBe('credential_invalid')
    expect(kind({ message: 'unauthorized' }, 401)).toBe('credential_invalid')
    expect(kind({ code: 10001, message: 'sign error: X-Sign mismatch' })).toBe('protocol')
    expect(kind({ code: 1, message: '请求过于频繁，请稍后再试' })).toBe('rate_limited')
    expect(kind({ code: 1, message: 'x' }, 429)).toBe('rate_limited')
    expect(kind({ code: 1, message: '额度已用完' })).toBe('quota_exhausted')
    expect(kind({ code: 1, message: 'internal' }, 500)).toBe('unavailable')
  })
})
