import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { byteByByte, drain, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { classifyError, errorFromReply } from './errors.js'
import { CompletionStreamParser, SamanthaStreamParser, parseDoubaoStream } from './parse.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))

const completionExpected: DeltaEvent[] = [
  { type: 'conversation', id: '7512345678901234567', parentId: '7512345678901234999' },
  {
    type: 'citations',
    items: [
      { url: 'https://weather.example.cn/beijing', title: '北京天气预报' },
      { url: 'https://news.example.com/a', title: '今日新闻' },
    ],
  },
  { type: 'reasoning', text: '用户想知道' },
  { type: 'reasoning', text: '北京的天气，' },
  { type: 'reasoning', text: '我来查一下。' },
  { type: 'text', text: '北京今天' },
  { type: 'text', text: '晴，' },
  { type: 'text', text: '气温 20℃' },
  { type: 'text', text: '🌞。' },
  { type: 'text', text: '适合出行！' },
  { type: 'finish', reason: 'stop' },
]

const samanthaExpected: DeltaEvent[] = [
  { type: 'conversation', id: '40772900100', parentId: '40772900101' },
  { type: 'text', text: '你好' },
  { type: 'text', text: '！我是' },
  { type: 'text', text: '豆包，' },
  { type: 'text', text: '很高兴认识你😊' },
  { type: 'text', text: '。' },
  { type: 'finish', reason: 'stop' },
]

/** www.dola.com: the conversation in the message meta, thinking_block / text_block deltas. */
const dolaExpected: DeltaEvent[] = [
  { type: 'conversation', id: '7601234567890123456', parentId: '7601234567890123999' },
  { type: 'reasoning', text: 'ユーザーは' },
  { type: 'reasoning', text: '挨拶している。' },
  { type: 'text', text: '你好' },
  { type: 'text', text: '！' },
  { type: 'text', text: '你好' }, // equal to the start of the block, still a delta
  { type: 'text', text: '，我是 Dola 🌏。' },
  { type: 'finish', reason: 'stop' },
]

const cases = [
  { name: 'completion-search-think.sse', make: () => new CompletionStreamParser(), expected: completionExpected },
  { name: 'samantha-hello.sse', make: () => new SamanthaStreamParser(), expected: samanthaExpected },
  { name: 'dola-think.sse', make: () => new CompletionStreamParser({ chunkDeltas: true }), expected: dolaExpected },
]

describe('doubao-web stream fixtures', () => {
  for (const c of cases) {
    it(`${c.name}: replayed whole, split at every byte, and byte by byte`, async () => {
      const bytes = fixture(c.name)
      for (const chunks of everySplit(bytes)) {
        expect(await drain(parseDoubaoStream(streamOf(chunks), c.make()))).toEqual(c.expected)
      }
      expect(await drain(parseDoubaoStream(streamOf(byteByByte(bytes)), c.make()))).toEqual(c.expected)
    })
  }

  it('samantha-captcha.sse: event 2005 with the slider decision is "verification required" at every split', async () => {
    const bytes = fixture('samantha-captcha.sse')
    for (const chunks of [...everySplit(bytes), byteByByte(bytes)]) {
      const seen: DeltaEvent[] = []
      const run = async () => {
        for await (const ev of parseDoubaoStream(streamOf(chunks), new SamanthaStreamParser())) seen.push(ev)
      }
      await expect(run()).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 30 * 60_000 })
      expect(seen).toEqual([{ type: 'conversation', id: '40772900100', parentId: '40772900101' }])
    }
  })
})

const sse = (event: string | undefined, data: unknown) => ({ ...(event ? { event } : {}), data: JSON.stringify(data) })

describe('CompletionStreamParser', () => {
  it('does not repeat text when a block snapshot repeats or grows', () => {
    const p = new CompletionStreamParser()
    const block = (text: string) => sse('STREAM_MSG_NOTIFY', { content: { content_block: [{ block_type: 10000, block_id: 'a', content: { text_block: { text } } }] } })
    expect(p.push(block('你好'))).toEqual([{ type: 'text', text: '你好' }])
    expect(p.push(sse('CHUNK_DELTA', { text: '，世界' }))).toEqual([{ type: 'text', text: '，世界' }])
    expect(p.push(block('你好，世界'))).toEqual([])
    expect(p.push(block('你好，世界！'))).toEqual([{ type: 'text', text: '！' }])
  })

  it('treats text blocks nested under a thinking block as reasoning', () => {
    const p = new CompletionStreamParser()
    p.push(sse('STREAM_MSG_NOTIFY', { content: { content_block: [{ block_type: 10040, block_id: 't' }] } }))
    const nested = { block_type: 10000, block_id: 'n', parent_id: 't', content: { text_block: { text: '思考' } } }
    expect(p.push(sse('STREAM_MSG_NOTIFY', { content: { content_block: [nested] } }))).toEqual([{ type: 'reasoning', text: '思考' }])
    expect(p.push(sse('CHUNK_DELTA', { text: '中' }))).toEqual([{ type: 'reasoning', text: '中' }])
  })

  it('closes reasoning at a second thinking block (peer heuristic)', () => {
    const p = new CompletionStreamParser()
    p.push(sse('STREAM_MSG_NOTIFY', { content: { content_block: [{ block_type: 10040, block_id: 't1' }] } }))
    expect(p.push(sse('CHUNK_DELTA', { text: 'x' }))).toEqual([{ type: 'reasoning', text: 'x' }])
    p.push(sse('STREAM_MSG_NOTIFY', { content: { content_block: [{ block_type: 10040, block_id: 't2' }] } }))
    expect(p.push(sse('CHUNK_DELTA', { text: 'y' }))).toEqual([{ type: 'text', text: 'y' }])
  })

  it('maps STREAM_ERROR codes and messages to failure classes', () => {
    const captcha = new CompletionStreamParser()
    expect(() => captcha.push(sse('STREAM_ERROR', { error_code: 710022004, error_msg: 'rate limited' }))).toThrow(
      expect.objectContaining({ kind: 'rate_limited', message: expect.stringMatching(/verification required.*slider captcha/) }),
    )
    const rate = new CompletionStreamParser()
    expect(() => rate.push(sse('STREAM_ERROR', { error_code: 1, error_msg: '请求过于频繁' }))).toThrow(
      expect.objectContaining({ kind: 'rate_limited', retryAfterMs: undefined }),
    )
    const filter = new CompletionStreamParser()
    expect(filter.push(sse('STREAM_ERROR', { error_code: 1, error_msg: '内容包含敏感信息' }))).toEqual([{ type: 'finish', reason: 'content_filter' }])
    expect(filter.push(sse('CHUNK_DELTA', { text: 'late' }))).toEqual([])
    const gateway = new CompletionStreamParser()
    expect(() => gateway.push(sse('gateway-error', { code: 502, message: 'bad gateway' }))).toThrow(expect.objectContaining({ kind: 'unavailable' }))
  })

  it('fails when the stream ends with no answer, finishes when it ends after one', () => {
    expect(() => new CompletionStreamParser().end()).toThrow(/ended before any answer/)
    const p = new CompletionStreamParser()
    p.push(sse('CHUNK_DELTA', { text: 'a' }))
    expect(p.end()).toEqual([{ type: 'finish', reason: 'stop' }])
  })
})

describe('CompletionStreamParser on Dola (chunk deltas)', () => {
  const chunk = (content: Record<string, unknown>) =>
    sse('STREAM_CHUNK', { patch_op: [{ patch_value: { content_block: [{ block_type: 10000, block_id: 'b', content }] } }] })

  it('takes every STREAM_CHUNK block text as new text, and a later full snapshot adds only what is missing', () => {
    const p = new CompletionStreamParser({ chunkDeltas: true })
    expect(p.push(chunk({ text_block: { text: '哈' } }))).toEqual([{ type: 'text', text: '哈' }])
    expect(p.push(chunk({ text_block: { text: '哈' } }))).toEqual([{ type: 'text', text: '哈' }])
    const full = { message: { content: { content_block: [{ block_type: 10000, block_id: 'b', content: { text_block: { text: '哈哈！' } } }] } } }
    expect(p.push(sse('FULL_MSG_NOTIFY', full))).toEqual([{ type: 'text', text: '！' }])
  })

  it('reads thinking_block as reasoning and ignores DOWNLINK_CMD', () => {
    const p = new CompletionStreamParser({ chunkDeltas: true })
    expect(p.push(chunk({ thinking_block: { text: '想' } }))).toEqual([{ type: 'reasoning', text: '想' }])
    expect(p.push(sse('DOWNLINK_CMD', { cmd_type: 1 }))).toEqual([])
  })
})

describe('SamanthaStreamParser', () => {
  it('turns a non-zero frame code into a classified error', () => {
    expect(() => new SamanthaStreamParser().push(sse(undefined, { code: 710022004, message: 'too many' }))).toThrow(
      expect.objectContaining({ kind: 'rate_limited' }),
    )
  })

  it('renders generated images (event 2074) as markdown', () => {
    const p = new SamanthaStreamParser()
    const data = { creations: [{ image: { key: 'k', image_ori: { url: 'https://img.example/1.png' } } }] }
    expect(p.push(sse(undefined, { event_type: 2074, event_data: JSON.stringify(data) }))).toEqual([
      { type: 'text', text: '![image](https://img.example/1.png)\n' },
    ])
  })
})

describe('doubao-web error classification', () => {
  it('classifies envelopes and pages', () => {
    expect(errorFromReply(200, '<!DOCTYPE html><html>验证</html>')).toMatchObject({ kind: 'protocol', message: expect.stringMatching(/doubao-web.*HTML/) })
    expect(errorFromReply(200, '{"code":710012001,"msg":"session expired, please login"}').kind).toBe('credential_invalid')
    expect(errorFromReply(200, '{"code":0,"data":{}}').kind).toBe('protocol')
    expect(errorFromReply(429, '{"code":1,"msg":"x"}').kind).toBe('rate_limited')
    expect(errorFromReply(502, 'oops').kind).toBe('protocol')
    expect(classifyError(-2001, '系统错误')).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/banned/) })
    expect(classifyError(1, '今日额度已用完').kind).toBe('quota_exhausted')
  })

  it('a verify decision is "verification required" whatever the code, and says what to do', () => {
    const detail = { ext: { decision: JSON.stringify({ type: 'verify', subtype: 'slide' }) } }
    const err = classifyError(710022999, 'rate limited', undefined, detail)
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30 * 60_000 })
    expect(err.message).toMatch(/verification required: the site asks for a slider captcha.*Open the site in a browser/)
    expect(errorFromReply(200, JSON.stringify({ code: 710022004, msg: 'rate limited' })).message).toMatch(/verification required/)
    expect(classifyError(1, 'x', undefined, { ext: { decision: '{"type":"pass"}' } }).kind).toBe('unavailable')
  })
})
