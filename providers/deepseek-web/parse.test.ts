import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { readSse } from '../../src/kit/sse.js'
import { byteByByte, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { type ParserState, type StreamItem, citationsOf, createParserState, parseEvent, resumeState } from './parse.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))

interface Replayed {
  text: string
  reasoning: string
  items: StreamItem[]
  state: ParserState
}

async function replay(chunks: Uint8Array[], state = createParserState()): Promise<Replayed> {
  const items: StreamItem[] = []
  for await (const event of readSse(streamOf(chunks))) items.push(...parseEvent(state, event))
  const join = (kind: 'text' | 'reasoning') => items.map((i) => (i.type === kind ? i.text : '')).join('')
  return { text: join('text'), reasoning: join('reasoning'), items, state }
}

/** The whole body, every two-piece split and byte-by-byte must all read the same. */
async function replayEveryWay(name: string): Promise<Replayed> {
  const bytes = fixture(name)
  const whole = await replay([bytes])
  const summary = (r: Replayed) => ({
    text: r.text,
    reasoning: r.reasoning,
    others: r.items.filter((i) => i.type !== 'text' && i.type !== 'reasoning'),
    citations: citationsOf(r.state),
    status: r.state.status,
    tokens: r.state.accumulatedTokens,
  })
  const expected = summary(whole)
  for (const chunks of everySplit(bytes)) expect(summary(await replay(chunks))).toEqual(expected)
  expect(summary(await replay(byteByByte(bytes)))).toEqual(expected)
  return whole
}

describe('deepseek-web stream parsing (fixtures replayed whole and split at every byte)', () => {
  it('reads the real fragment transcript: THINK to reasoning, RESPONSE to content', async () => {
    const r = await replayEveryWay('transcript-fragments.sse')
    expect(r.reasoning).toBe('我们需要输出mark')
    expect(r.text).toBe('以下展示了')
    expect(r.state.status).toBe('FINISHED')
    expect(r.state.accumulatedTokens).toBe(550)
    expect(r.items).toContainEqual({ type: 'ids', requestMessageId: 1, responseMessageId: 2 })
  })

  it('accepts a fragment appended as a single object, and bare v deltas', async () => {
    const r = await replayEveryWay('single-object-fragment.sse')
    expect(r.text).toBe('Hello!')
    expect(r.reasoning).toBe('Let me think.')
    expect(r.state.accumulatedTokens).toBe(10)
    expect(r.state.status).toBe('FINISHED')
  })

  it('reads the older response/content + response/thinking_content path style', async () => {
    const r = await replayEveryWay('plain-paths.sse')
    expect(r.reasoning).toBe('嗯，用户在问好。')
    expect(r.text).toBe('你好！ 有什么可以帮你？')
    expect(r.state.status).toBe('FINISHED')
  })

  it('reads generation 1 choices/delta streams with search results', async () => {
    const r = await replayEveryWay('generation1.sse')
    expect(r.reasoning).toBe('先搜索再回答。')
    expect(r.text).toBe('今天晴天[citation:1]，适合出门[citation:2]。')
    expect(citationsOf(r.state)).toEqual([
      { url: 'https://example.com/weather', title: '天气预报' },
      { url: 'https://example.org/news', title: '新闻' },
    ])
    expect(r.items).toContainEqual({ type: 'ids', sessionId: '8c1f0d5e-8f7b-4a39-9a54-3c1e2b7f6d10', responseMessageId: 2 })
    expect(r.items.at(-1)).toEqual({ type: 'end' })
    expect(r.state.status).toBe('FINISHED')
  })

  it('collects TOOL_SEARCH results once per url and ends on a status inside a BATCH', async () => {
    const r = await replayEveryWay('search-fragments.sse')
    expect(r.reasoning).toBe('根据搜索结果，今天是晴天。')
    expect(r.text).toBe('北京今天晴[citation:1]，气温 20℃[citation:2]。')
    expect(citationsOf(r.state)).toEqual([
      { url: 'https://weather.example.cn/beijing', title: '北京天气' },
      { url: 'https://news.example.cn/a', title: '今日新闻' },
    ])
    expect(r.state.status).toBe('FINISHED')
    expect(r.state.accumulatedTokens).toBe(321)
  })

  it('turns the content-filter tail into CONTENT_FILTER and emits the template refusal', async () => {
    const r = await replayEveryWay('content-filter.sse')
    expect(r.text).toBe('关于这个话题你好，这个问题我暂时无法回答。')
    expect(r.state.status).toBe('CONTENT_FILTER')
  })

  it('treats data {"code":"content_filter"} as a content filter end', async () => {
    const r = await replayEveryWay('content-filter-code.sse')
    expect(r.text).toBe('部分回答')
    expect(r.state.status).toBe('CONTENT_FILTER')
  })

  it('reports an error hint with its finish reason', async () => {
    const r = await replayEveryWay('hint-rate-limit.sse')
    expect(r.items).toContainEqual({ type: 'hint', reason: 'rate_limit_reached', message: '你发送消息的频率过快，请稍后再发' })
    expect(r.items.at(-1)).toEqual({ type: 'end' })
    expect(r.text).toBe('')
  })

  it('ignores unknown events, non-JSON data and unknown fields; keeps whitespace; hides TIP fragments', async () => {
    const r = await replayEveryWay('unknown-events.sse')
    expect(r.text).toBe('   空格 保留 ')
    expect(r.reasoning).toBe('')
    expect(r.state.status).toBe('FINISHED')
  })

  it('reads the 2026-05 browser capture: no finish or title event, BATCH usage, close as the end', async () => {
    const r = await replayEveryWay('capture-2026.sse')
    expect(r.text).toBe('你好！我是DeepSeek，很高兴见到你🙂')
    expect(r.state.status).toBe('FINISHED')
    expect(r.state.accumulatedTokens).toBe(57)
    expect(r.items).toContainEqual({ type: 'ids', requestMessageId: 1, responseMessageId: 2 })
    expect(r.items.at(-1)).toEqual({ type: 'end' })
  })

  it('reads the notes\' continuation sample (status FINISHED, update_session, close; no finish) without usage', async () => {
    const r = await replayEveryWay('continuation-2026.sse')
    expect(r.text).toBe('我是深度求索的助手。')
    expect(r.state.status).toBe('FINISHED')
    expect(r.state.accumulatedTokens).toBe(0)
    expect(r.items).toContainEqual({ type: 'ids', requestMessageId: 3, responseMessageId: 4 })
  })

  it('resumes after INCOMPLETE without repeating what the continue snapshot repeats', async () => {
    const first = await replayEveryWay('incomplete.sse')
    expect(first.text).toBe('第一段，未完')
    expect(first.state.status).toBe('INCOMPLETE')
    const bytes = fixture('continue.sse')
    for (const chunks of [[bytes], byteByByte(bytes)]) {
      const resumed = await replay(chunks, resumeState((await replay([fixture('incomplete.sse')])).state))
      expect(resumed.text).toBe('，续写完毕。')
      expect(resumed.state.status).toBe('FINISHED')
    }
  })
})
