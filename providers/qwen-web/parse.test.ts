import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { byteByByte, drain, everySplit, streamOf } from '../../test/helpers/chunks.js'
import type { StreamParser } from './client.js'
import { parseQwenStream } from './index.js'
import { IntlStreamParser } from './parse-intl.js'
import { QianwenStreamParser, answerText } from './parse-qianwen.js'
import { TongyiStreamParser } from './parse-tongyi.js'
import { BROWSER_CHECK_COOLDOWN_MS } from './constants.js'
import { Cumulative, classifyError, errorFromReply } from './parse.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))

const cases: { name: string; make: () => StreamParser; expected: DeltaEvent[] }[] = [
  {
    name: 'qianwen-think-sources.sse',
    make: () => new QianwenStreamParser(),
    expected: [
      { type: 'conversation', id: '3f1c0e5a9b7d4c2e8a6f1b3d5c7e9a0b', parentId: '0a9e7c5d3b1f8a6e2c4d7b9f1e3a5c0d' },
      {
        type: 'citations',
        items: [
          { url: 'https://weather.example.cn/hz', title: '杭州天气' },
          { url: 'https://cma.example.cn/', title: '气象台' },
        ],
      },
      { type: 'reasoning', text: '首先' },
      { type: 'reasoning', text: '，查看天气' },
      { type: 'reasoning', text: '数据。' },
      { type: 'text', text: '杭州' },
      { type: 'text', text: '今天多云，' },
      { type: 'text', text: '22°C🌤' },
      { type: 'text', text: '。' },
      { type: 'usage', promptTokens: 11, completionTokens: 29 },
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    name: 'tongyi-hello.sse',
    make: () => new TongyiStreamParser(),
    expected: [
      { type: 'conversation', id: '5b0e7d3c1a9f8e6d4c2b0a1f3e5d7c9b-9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a41', parentId: '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a41' },
      { type: 'text', text: '你好' },
      { type: 'text', text: '！我是' },
      { type: 'text', text: '通义千问' },
      { type: 'text', text: '，很高兴为您服务🙂' },
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    name: 'intl-think.sse',
    make: () => new IntlStreamParser('c0ffee00-1111-4222-a333-444455556666'),
    expected: [
      { type: 'conversation', id: 'c0ffee00-1111-4222-a333-444455556666', parentId: 'r-77f1' },
      { type: 'reasoning', text: '让我' },
      { type: 'reasoning', text: '想想……' },
      { type: 'reasoning', text: '概括：问候' },
      { type: 'text', text: '你好' },
      { type: 'text', text: '！有什么' },
      { type: 'text', text: '可以帮您？😀' },
      { type: 'usage', promptTokens: 5, completionTokens: 17 },
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    name: 'intl-summary-2026.sse',
    make: () => new IntlStreamParser('c0ffee00-1111-4222-a333-444455556666'),
    expected: [
      { type: 'conversation', id: 'c0ffee00-1111-4222-a333-444455556666', parentId: 'r-2026' },
      { type: 'reasoning', text: '分析问题' },
      { type: 'reasoning', text: '：用户问候' },
      { type: 'reasoning', text: '\n组织回答🙂' },
      { type: 'text', text: '你好，' },
      { type: 'text', text: '最近怎么样？' },
      { type: 'usage', promptTokens: 6, completionTokens: 9 },
      { type: 'finish', reason: 'stop' },
    ],
  },
  {
    name: 'qianwen-2026.sse',
    make: () => new QianwenStreamParser(),
    expected: [
      { type: 'conversation', id: '9d2e6c4a1b3f5e7d8c0a2b4d6f8e1a3c', parentId: '4b6d8f0a2c4e6a8c0e2a4c6e8a0c2e4a' },
      { type: 'reasoning', text: '深度思考' },
      { type: 'reasoning', text: '\n先看天气' },
      { type: 'reasoning', text: '，再回答。' },
      { type: 'text', text: '杭州' },
      { type: 'text', text: '今天晴' },
      { type: 'text', text: '，25°C☀️' },
      { type: 'finish', reason: 'stop' },
    ],
  },
]

describe('qwen-web stream fixtures', () => {
  for (const c of cases) {
    it(`${c.name}: replayed whole, split at every byte, and byte by byte`, async () => {
      const bytes = fixture(c.name)
      for (const chunks of everySplit(bytes)) expect(await drain(parseQwenStream(streamOf(chunks), c.make()))).toEqual(c.expected)
      expect(await drain(parseQwenStream(streamOf(byteByByte(bytes)), c.make()))).toEqual(c.expected)
    })
  }
})

describe('qwen-web risk control', () => {
  it('a FAIL_SYS_USER_VALIDATE frame in a 200 stream is a browser check that cools the credential (whole and split)', async () => {
    const bytes = fixture('intl-browser-check.sse')
    for (const chunks of [...everySplit(bytes), byteByByte(bytes)]) {
      const err = await drain(parseQwenStream(streamOf(chunks), new IntlStreamParser('c1'))).catch((e) => e)
      expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: BROWSER_CHECK_COOLDOWN_MS })
      expect(err.message).toMatch(/chat\.qwen\.ai asks for a browser check \(FAIL_SYS_USER_VALIDATE\).*paste its cookies again/)
    }
  })

  it.each([
    ['the WAF page', '<html><script>var aliyun_waf_aa="x";</script></html>', 'aliyun_waf_'],
    ['an mtop rejection', '{"ret":["FAIL_SYS_USER_VALIDATE::被挤爆啦"],"data":{"url":"https://x/punish?x5secdata=1"}}', 'FAIL_SYS_USER_VALIDATE'],
    ['an RGV587 answer', '{"ret":["RGV587_ERROR::SM::哎哟喂"]}', 'RGV587'],
  ])('classifies %s as a browser check', (_label, body, marker) => {
    const err = errorFromReply('intl', 200, body)
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: BROWSER_CHECK_COOLDOWN_MS })
    expect(err.message).toContain(`(${marker})`)
  })

  it('an answer that mentions a marker word is still an answer', async () => {
    const frame = { choices: [{ delta: { content: 'punish x5sec RGV587', phase: 'answer', status: 'typing' } }] }
    const events = await drain(parseQwenStream(streamOf([`data: ${JSON.stringify(frame)}\n\n`]), new IntlStreamParser('c1')))
    expect(events[0]).toEqual({ type: 'text', text: 'punish x5sec RGV587' })
  })

  it('a plain HTML page without a marker stays a protocol error', () => {
    expect(errorFromReply('intl', 200, '<html>login</html>').kind).toBe('protocol')
  })
})

const data = (obj: unknown, event?: string) => ({ data: JSON.stringify(obj), ...(event ? { event } : {}) })

describe('qwen-web parsers', () => {
  it('holds back a think-marker prefix until it is complete', () => {
    expect(answerText('[(multi')).toBe('')
    expect(answerText('[(multimodal_chat_think_')).toBe('')
    expect(answerText('[(multimodal_chat_think_12)]答')).toBe('答')
    expect(answerText('[1] 参考')).toBe('[1] 参考')
  })

  it('Cumulative sends only growth, ignores older snapshots', () => {
    const c = new Cumulative()
    expect([c.next('你'), c.next('你好'), c.next('你'), c.next('你好呀')]).toEqual(['你', '好', '', '呀'])
  })

  it('qianwen: a non-zero error_code in the stream is classified', () => {
    expect(() => new QianwenStreamParser().push(data({ error_code: 429, error_msg: '请求过于频繁' }))).toThrow(
      expect.objectContaining({ kind: 'rate_limited' }),
    )
    expect(() => new QianwenStreamParser().push(data({ error_code: 'EX015', error_msg: '' }))).toThrow(/ACS request signature/)
  })

  it('tongyi: canShare false ends as content_filter; errorCode NOT_LOGIN is an invalid credential', () => {
    const p = new TongyiStreamParser()
    const frame = { sessionId: 's', msgId: 'm', msgStatus: 'finished', canShare: false, contents: [{ contentType: 'text', role: 'assistant', content: '…' }] }
    expect(p.push(data(frame)).at(-1)).toEqual({ type: 'finish', reason: 'content_filter' })
    expect(() => new TongyiStreamParser().push(data({ errorCode: 'NOT_LOGIN', errorMsg: '' }))).toThrow(
      expect.objectContaining({ kind: 'credential_invalid' }),
    )
  })

  it('intl: error frames are classified', () => {
    expect(() => new IntlStreamParser('c').push(data({ error: { code: 'RateLimited', message: 'slow down' } }))).toThrow(
      expect.objectContaining({ kind: 'rate_limited' }),
    )
    expect(() => new IntlStreamParser('c').push(data({ code: 'Bad_Request', msg: '' }))).toThrow(
      expect.objectContaining({ kind: 'credential_invalid', message: expect.stringContaining('cookie') }),
    )
  })

  it('a stream that ends before any answer is an error', () => {
    expect(() => new QianwenStreamParser().end()).toThrow(/ended before any answer/)
  })
})

describe('qwen-web error classification', () => {
  it('classifies replies that are not event streams', () => {
    expect(errorFromReply('qianwen', 200, '<html>captcha</html>')).toMatchObject({ kind: 'protocol', message: expect.stringContaining('qwen-web') })
    expect(errorFromReply('qianwen', 200, '{"success":false,"error_code":"EX015","error_msg":"need sign"}')).toMatchObject({
      kind: 'protocol',
      message: expect.stringContaining('signature'),
    })
    expect(errorFromReply('tongyi', 200, '{"success":false,"errorCode":"NOT_LOGIN","errorMsg":"未登录"}').kind).toBe('credential_invalid')
    expect(errorFromReply('intl', 401, '{"success":false,"data":{"code":"Unauthorized","details":"expired"}}').kind).toBe('credential_invalid')
    expect(errorFromReply('qianwen', 200, '{"success":true,"data":{}}').kind).toBe('protocol')
    expect(classifyError('tongyi', 'SESSION_NO_EXIST', '').kind).toBe('invalid_request')
    expect(classifyError('qianwen', 'X', '今日额度已用完').kind).toBe('quota_exhausted')
  })
})
