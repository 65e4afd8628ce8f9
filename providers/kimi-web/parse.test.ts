import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { encodeConnectFrame, readConnectMessages } from '../../src/kit/connect.js'
import { UpstreamError } from '../../src/kit/errors.js'
import { readSse } from '../../src/kit/sse.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { byteByByte, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { KimiConnectParser } from './parse.js'
import { KimiLegacyParser } from './parse-legacy.js'

interface Fixture {
  frames: { flags: number; json: Record<string, unknown> }[]
}

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Fixture
const bytesOf = (f: Fixture) => Buffer.concat(f.frames.map((fr) => encodeConnectFrame(fr.json, fr.flags)))

/** What the adapter does: read frames, stop at the end signal, then finish. */
async function replay(chunks: Uint8Array[], keep = false): Promise<DeltaEvent[]> {
  const parser = new KimiConnectParser(keep)
  const out: DeltaEvent[] = []
  for await (const msg of readConnectMessages(streamOf(chunks))) {
    out.push(...parser.push(msg))
    if (parser.ended) break
  }
  if (parser.completed) out.push(...parser.finish())
  return out
}

const text = (evs: DeltaEvent[]) => evs.map((e) => (e.type === 'text' ? e.text : '')).join('')
const reasoning = (evs: DeltaEvent[]) => evs.map((e) => (e.type === 'reasoning' ? e.text : '')).join('')

describe('Connect frame test vectors (spec §6)', () => {
  it('encodes the three spec frames byte for byte', () => {
    expect(Buffer.from(encodeConnectFrame({ foo: 1 })).toString('hex')).toBe('00000000097b22666f6f223a317d')
    expect(Buffer.from(encodeConnectFrame({}, 2)).toString('hex')).toBe('02000000027b7d')
    expect(Buffer.from(encodeConnectFrame({ eventOffset: 8, done: {} })).toString('hex')).toBe(
      '000000001b7b226576656e744f6666736574223a382c22646f6e65223a7b7d7d',
    )
  })

  it('treats the decoded done frame and the 0x02 trailer as the end', async () => {
    for (const hex of ['000000001b7b226576656e744f6666736574223a382c22646f6e65223a7b7d7d', '02000000027b7d']) {
      const parser = new KimiConnectParser()
      for await (const msg of readConnectMessages(streamOf([Buffer.from(hex, 'hex')]))) parser.push(msg)
      expect(parser.ended).toBe(true)
    }
  })
})

describe('KimiConnectParser on recorded streams', () => {
  it('think fixture → reasoning, text, conversation first, finish', async () => {
    const events = await replay([bytesOf(fixture('connect-think.json'))])
    expect(text(events)).toBe('答案是 42')
    expect(reasoning(events)).toBe('用户问了一个问题')
    const firstContent = events.findIndex((e) => e.type === 'text' || e.type === 'reasoning')
    expect(events.findIndex((e) => e.type === 'conversation')).toBeLessThan(firstContent)
    expect(events.find((e) => e.type === 'conversation')).toEqual({ type: 'conversation', id: 'd1kq7chat0000000001', parentId: 'a-1' })
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('search fixture → citations from tool contents and refs, markers stripped, unknown events ignored', async () => {
    const events = await replay([bytesOf(fixture('connect-search.json'))])
    expect(text(events)).toBe('1 + 1 = 2')
    expect(events.find((e) => e.type === 'citations')).toEqual({
      type: 'citations',
      items: [
        { url: 'https://math.example/add', title: '算术' },
        { url: 'https://wiki.example/加法', title: '加法' },
      ],
    })
  })

  it('keeps the private-use cite markers with `cite`', async () => {
    const events = await replay([bytesOf(fixture('connect-search.json'))], true)
    expect(text(events)).toBe('1 + 1 = 2\ue3a0cite\ue3a3web_search:1#0\ue3a3web_search:1#1\ue3a8')
  })

  for (const name of ['connect-think.json', 'connect-search.json']) {
    it(`${name}: identical when split at every byte boundary and byte by byte`, async () => {
      const bytes = bytesOf(fixture(name))
      const whole = await replay([bytes])
      for (const parts of everySplit(bytes)) expect(await replay(parts)).toEqual(whole)
      expect(await replay(byteByByte(bytes))).toEqual(whole)
    })
  }
})

describe('KimiConnectParser rules', () => {
  const msg = (json: Record<string, unknown>, end = false) => ({ end, json })

  it('completes on the assistant status alone', () => {
    const p = new KimiConnectParser()
    p.push(msg({ op: 'set', mask: 'message', message: { id: 'a', role: 'assistant', status: 'MESSAGE_STATUS_GENERATING' } }))
    expect(p.completed).toBe(false)
    p.push(msg({ op: 'set', mask: 'message.status', message: { id: 'a', status: 'MESSAGE_STATUS_COMPLETED' } }))
    expect(p.completed).toBe(true)
    expect(p.ended).toBe(false)
  })

  it('a user message completing does not end the answer', () => {
    const p = new KimiConnectParser()
    p.push(msg({ op: 'set', mask: 'message', message: { id: 'u', role: 'user', status: 'MESSAGE_STATUS_COMPLETED' } }))
    expect(p.completed).toBe(false)
  })

  it('a repeated `set` emits only the new part; text flagged thinking is reasoning', () => {
    const p = new KimiConnectParser()
    const evs = [
      ...p.push(msg({ op: 'set', block: { id: 'x', text: { content: 'Hel', flags: 'thinking' } } })),
      ...p.push(msg({ op: 'set', block: { id: 'x', text: { content: 'Hello' } } })),
      ...p.push(msg({ op: 'set', block: { id: 'y', text: { content: 'Ans', flags: 'answer' } } })),
      ...p.push(msg({ op: 'append', block: { id: 'y', text: { content: 'wer' } } })),
    ]
    expect(reasoning(evs)).toBe('Hello')
    expect(text(evs)).toBe('Answer')
  })

  it('text before the assistant message: conversation first without parent, repeated with it at the end', () => {
    const p = new KimiConnectParser()
    const evs = [
      ...p.push(msg({ op: 'set', chat: { id: 'c1' } })),
      ...p.push(msg({ op: 'set', block: { id: 't', text: { content: 'hi' } } })),
      ...p.push(msg({ op: 'set', mask: 'message', message: { id: 'a1', role: 'assistant', status: 'MESSAGE_STATUS_COMPLETED' } })),
      ...p.finish(),
    ]
    expect(evs.filter((e) => e.type === 'conversation')).toEqual([
      { type: 'conversation', id: 'c1' },
      { type: 'conversation', id: 'c1', parentId: 'a1' },
    ])
    expect(evs[0]).toEqual({ type: 'conversation', id: 'c1' })
  })

  it('error frames and error trailers throw typed errors', () => {
    const cases: [Record<string, unknown>, boolean, string][] = [
      [{ error: { code: 'unauthenticated', message: 'expired' } }, false, 'credential_invalid'],
      [{ error: { code: 'resource_exhausted', message: 'too fast' } }, true, 'rate_limited'],
      [{ error: { code: 'invalid_argument' } }, true, 'invalid_request'],
      [{ error: { code: 'internal' } }, true, 'unavailable'],
    ]
    for (const [json, end, kind] of cases) {
      const p = new KimiConnectParser()
      let caught: unknown
      try {
        p.push(msg(json, end))
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(UpstreamError)
      expect((caught as UpstreamError).kind).toBe(kind)
    }
  })
})

describe('KimiLegacyParser', () => {
  const sse = readFileSync(new URL('./fixtures/legacy-search.sse', import.meta.url), 'utf8')

  async function replayLegacy(chunks: Uint8Array[]) {
    const parser = new KimiLegacyParser()
    const out: DeltaEvent[] = []
    for await (const ev of readSse(streamOf(chunks))) {
      out.push(...parser.push(ev.data))
      if (parser.ended) break
    }
    return [...out, ...parser.finish()]
  }

  it('parses k1 thinking, search sources, cmpl text and all_done', async () => {
    const events = await replayLegacy([Buffer.from(sse)])
    expect(text(events)).toBe('北京今天晴，气温 20℃。')
    expect(reasoning(events)).toBe('让我想想')
    expect(events).toContainEqual({ type: 'citations', items: [{ url: 'https://tq.example/bj', title: '天气预报' }] })
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('is identical when split at every byte boundary', async () => {
    const whole = await replayLegacy([Buffer.from(sse)])
    for (const parts of everySplit(sse)) expect(await replayLegacy(parts)).toEqual(whole)
  })

  it('maps length and error events to finish reasons', () => {
    const a = new KimiLegacyParser()
    a.push('{"event":"length"}')
    expect(a.finish().at(-1)).toEqual({ type: 'finish', reason: 'length' })
    const b = new KimiLegacyParser()
    b.push('{"event":"error"}')
    expect(b.finish().at(-1)).toEqual({ type: 'finish', reason: 'content_filter' })
    expect(new KimiLegacyParser().push('not json')).toEqual([])
  })
})
