// The archon stream parser. fixtures/archon-stream.sse is written from the notes' (unverified)
// shapes, not recorded from the site.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { byteByByte, drain, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { ArchonParser, parseArchonStream } from './parse-archon.js'

const bytes = readFileSync(new URL('./fixtures/archon-stream.sse', import.meta.url))
const text = (evs: DeltaEvent[]) => evs.map((e) => (e.type === 'text' ? e.text : '')).join('')
const reasoning = (evs: DeltaEvent[]) => evs.map((e) => (e.type === 'reasoning' ? e.text : '')).join('')

describe('archon SSE', () => {
  it('streams chunk deltas, adds what only the whole message has, and finishes once', async () => {
    const evs = await drain(parseArchonStream(streamOf([bytes])))
    expect(evs.filter((e) => e.type === 'text')).toEqual([
      { type: 'text', text: '你好，' },
      { type: 'text', text: '我是 MiniMax-M3 😊' },
      { type: 'text', text: '！' },
    ])
    expect(text(evs)).toBe('你好，我是 MiniMax-M3 😊！')
    expect(reasoning(evs)).toBe('先打个招呼。')
    expect(evs.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    expect(evs.filter((e) => e.type === 'finish')).toHaveLength(1)
  })

  it('gives identical events for every split and byte by byte', async () => {
    const expected = JSON.stringify(await drain(parseArchonStream(streamOf([bytes]))))
    for (const chunks of everySplit(bytes)) {
      const got = JSON.stringify(await drain(parseArchonStream(streamOf(chunks))))
      if (got !== expected) expect(got).toBe(expected)
    }
    expect(JSON.stringify(await drain(parseArchonStream(streamOf(byteByByte(bytes)))))).toBe(expected)
  })

  it('reads the kind from the event name, the key or the numeric type, with or without a data wrapper', () => {
    const forms: [string, string | undefined][] = [
      ['{"agent_message_chunk":{"msg_content":"a"}}', undefined],
      ['{"msg_content":"a"}', 'agent_message_chunk'],
      ['{"type":6,"msg_content":"a"}', undefined],
      ['{"data":{"type":6,"agent_message_chunk":{"msg_content":"a"}}}', undefined],
    ]
    for (const [data, event] of forms) expect(new ArchonParser().push(data, event)).toEqual([{ type: 'text', text: 'a' }])
    const whole = new ArchonParser()
    expect(whole.push('{"type":2,"msg_content":"all","finish_reason":"length"}')).toEqual([{ type: 'text', text: 'all' }])
    expect(whole.finish).toBe('length')
    expect(new ArchonParser().push('not json')).toEqual([])
  })

  it('an answer cut off without the whole message still finishes; an empty stream is a protocol error', async () => {
    const cut = 'data: {"type":6,"agent_message_chunk":{"msg_content":"半"}}\n\n'
    const evs = await drain(parseArchonStream(streamOf([cut])))
    expect(text(evs)).toBe('半')
    expect(evs.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    await expect(drain(parseArchonStream(streamOf([': ping\n\n'])))).rejects.toMatchObject({ kind: 'protocol' })
  })
})
