import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { byteByByte, drain, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { type Envelope, answerOf, classifyEnvelope, newPollState, parseHailuoStream, pollDeltas } from './parse.js'
import { parseKeepingIds } from './sign.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))
const text = (evs: DeltaEvent[]) => evs.map((e) => (e.type === 'text' ? e.text : '')).join('')
const reasoning = (evs: DeltaEvent[]) => evs.map((e) => (e.type === 'reasoning' ? e.text : '')).join('')

describe('legacy hailuo SSE', () => {
  const bytes = fixture('hailuo-stream.sse')

  it('turns cumulative content into deltas and stops at isEnd 0', async () => {
    const evs = await drain(parseHailuoStream(streamOf([bytes])))
    expect(evs[0]).toEqual({ type: 'conversation', id: '288000000000000011', parentId: '288000000000000022' })
    expect(text(evs)).toBe('你好！我是海螺AI，很高兴为你服务。😊 有什么可以帮你？')
    expect(evs.filter((e) => e.type === 'text').length).toBeGreaterThan(3)
    expect(evs.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    expect(evs.filter((e) => e.type === 'finish')).toHaveLength(1)
  })

  it('gives identical events for every split and byte by byte', async () => {
    const expected = JSON.stringify(await drain(parseHailuoStream(streamOf([bytes]))))
    for (const chunks of everySplit(bytes)) {
      const got = JSON.stringify(await drain(parseHailuoStream(streamOf(chunks))))
      if (got !== expected) expect(got).toBe(expected)
    }
    expect(JSON.stringify(await drain(parseHailuoStream(streamOf(byteByByte(bytes)))))).toBe(expected)
  })

  it('ends on a type 8 event when no chunk carries isEnd 0', async () => {
    const body =
      'event: message_result\ndata: {"type":2,"statusInfo":{"code":0},"data":{"messageResult":{"chatID":5,"isEnd":1,"content":"半"}}}\n\n' +
      'event: message_result\ndata: {"type":8,"statusInfo":{"code":0},"data":{}}\n\n'
    const evs = await drain(parseHailuoStream(streamOf([body])))
    expect(text(evs)).toBe('半')
    expect(evs.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('a non-zero statusInfo outside type 3 is a classified error', async () => {
    const body = 'event: message_result\ndata: {"type":2,"statusInfo":{"code":1500,"message":"请求过于频繁"},"data":{}}\n\n'
    await expect(drain(parseHailuoStream(streamOf([body])))).rejects.toMatchObject({ kind: 'rate_limited' })
  })
})

describe('agent polling', () => {
  const polls = fixture('agent-polls.jsonl').toString('utf8').trim().split('\n').map((l) => parseKeepingIds<Envelope>(l))

  it('turns cumulative polls into reasoning and text deltas of the newest answer only', () => {
    const state = newPollState()
    const all: DeltaEvent[] = []
    let done = false
    for (const p of polls) {
      const r = pollDeltas(p, state, '306000000000000014')
      all.push(...r.events)
      done = r.done
    }
    expect(done).toBe(true)
    expect(reasoning(all)).toBe('先想一想用户的问题。')
    expect(text(all)).toBe('北京今天晴，20度。☀️')
    expect(all.filter((e) => e.type === 'text').length).toBe(3)
  })

  it('finds the answer after the newest user message when the msg id is unknown', () => {
    expect(answerOf(polls.at(-1)!.messages!).text).toBe('北京今天晴，20度。☀️')
  })
})

describe('classifyEnvelope', () => {
  const kind = (e: Envelope, status = 200, hasId = true) => classifyEnvelope(e, status, hasId).kind
  it('maps MiniMax failures to pool actions', () => {
    expect(kind({ statusInfo: { code: 1004, message: 'token is invalid' } }, 401)).toBe('credential_invalid')
    expect(kind({ statusInfo: { code: 1004, message: '登录已过期，请重新登录' } })).toBe('credential_invalid')
    expect(kind({ base_resp: { status_code: 1002, status_msg: 'invalid signature: yy' } })).toBe('protocol')
    expect(kind({ base_resp: { status_code: 1, status_msg: '请求过于频繁' } })).toBe('rate_limited')
    expect(kind({ base_resp: { status_code: 1, status_msg: '今日次数已用完' } })).toBe('quota_exhausted')
    expect(kind({ base_resp: { status_code: 1, status_msg: 'Unknown error' } }, 200, false)).toBe('credential_invalid')
    expect(kind({ base_resp: { status_code: 1, status_msg: 'Unknown error' } }, 200, true)).toBe('unavailable')
  })
})
