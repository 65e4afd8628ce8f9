import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { readSse } from '../../src/kit/sse.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { byteByByte, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { MetasoParser } from './parse.js'

const sse = readFileSync(new URL('./fixtures/search-detail.sse', import.meta.url), 'utf8')
const text = (evs: DeltaEvent[]) => evs.map((e) => (e.type === 'text' ? e.text : '')).join('')

async function replay(chunks: Uint8Array[], keep = false): Promise<DeltaEvent[]> {
  const parser = new MetasoParser(keep)
  const out: DeltaEvent[] = []
  for await (const ev of readSse(streamOf(chunks))) {
    out.push(...parser.push(ev.data))
    if (parser.ended) break
  }
  return [...out, ...parser.finish()]
}

const run = (payloads: string[], keep = false) => {
  const p = new MetasoParser(keep)
  return [...payloads.flatMap((d) => p.push(d)), ...p.finish()]
}

describe('MetasoParser: spec §6 vectors', () => {
  it('append-text "你好[1]" → "你好"', () => {
    expect(text(run(['{"type":"append-text","text":"你好[1]"}']))).toBe('你好')
  })

  it('"[[1]]hello " + "world" → "hello world"', () => {
    expect(text(run(['{"type":"append-text","text":"[[1]]hello "}', '{"type":"append-text","text":"world"}', '[DONE]']))).toBe('hello world')
  })
})

describe('MetasoParser on a recorded stream', () => {
  it('text without markers, sources from set-reference and link/title payloads, unknown types ignored', async () => {
    const events = await replay([Buffer.from(sse)])
    expect(text(events)).toBe('北京今天晴，最高气温 20℃。\n\n明天有小雨。')
    expect(events.find((e) => e.type === 'citations')).toEqual({
      type: 'citations',
      items: [
        { url: 'https://qx.example/bj', title: '北京市气象台' },
        { url: 'https://weather.example/101010100', title: '中国天气网' },
        { url: 'https://baike.example/北京', title: '百科' },
      ],
    })
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('keeps the markers with `cite`', async () => {
    expect(text(await replay([Buffer.from(sse)], true))).toBe('北京今天晴[[1]]，最高气温 20℃[[2]]。\n\n明天有小雨[2]。')
  })

  it('is identical when split at every byte boundary and byte by byte', async () => {
    const whole = await replay([Buffer.from(sse)])
    for (const parts of everySplit(sse)) expect(await replay(parts)).toEqual(whole)
    expect(await replay(byteByByte(sse))).toEqual(whole)
  })
})

describe('MetasoParser errors and edge cases', () => {
  it('TOO_MANY_REQUESTS as a JSON error or a bare line is a rate limit', () => {
    expect(() => run(['{"type":"error","code":"TOO_MANY_REQUESTS","msg":"slow down"}'])).toThrow(expect.objectContaining({ kind: 'rate_limited' }))
    expect(() => run(['TOO_MANY_REQUESTS'])).toThrow(expect.objectContaining({ kind: 'rate_limited' }))
  })

  it('other error events are upstream failures that name the provider', () => {
    expect(() => run(['{"type":"error","code":500,"msg":"engine busy"}'])).toThrow(
      expect.objectContaining({ kind: 'unavailable', message: expect.stringMatching(/metaso-web.*engine busy/) }),
    )
  })

  it('releases bracket text that is not a marker and ignores garbage lines', () => {
    expect(text(run(['{"type":"append-text","text":"数组 a[i"}', '{"type":"append-text","text":"] 与 [x]"}', 'garbage']))).toBe('数组 a[i] 与 [x]')
  })
})
