// Stream readers fed whole, split at every byte boundary and byte by byte.
import { describe, expect, it } from 'vitest'
import { CONNECT_FLAG_END_STREAM, encodeConnectFrame, readConnectFrames, readConnectMessages } from '../../src/kit/connect.js'
import { readLines, readNdjson } from '../../src/kit/lines.js'
import { readSse } from '../../src/kit/sse.js'
import { byteByByte, drain, everySplit, streamOf } from '../helpers/chunks.js'

const sse = ': comment\r\n\r\nevent: delta\ndata: {"t":"你好，世界🌏"}\n\ndata: line1\ndata: line2\n\nid: 7\ndata: 末尾无空行'
const expected = [
  { event: 'delta', data: '{"t":"你好，世界🌏"}', id: undefined },
  { data: 'line1\nline2', id: undefined },
  { data: '末尾无空行', id: '7' },
]

describe('readSse', () => {
  it('parses events, comments, multi-line data and a missing final blank line at every split', async () => {
    for (const chunks of everySplit(sse)) expect(await drain(readSse(streamOf(chunks)))).toEqual(expected)
    expect(await drain(readSse(streamOf(byteByByte(sse))))).toEqual(expected)
  })
})

describe('readLines / readNdjson', () => {
  const nd = '{"a":"汉字"}\r\nnot json\n{"b":2}'
  it('yields whole lines at every split, skipping non-JSON for NDJSON', async () => {
    for (const chunks of everySplit(nd)) {
      expect(await drain(readLines(streamOf(chunks)))).toEqual(['{"a":"汉字"}', 'not json', '{"b":2}'])
      expect(await drain(readNdjson(streamOf(chunks)))).toEqual([{ a: '汉字' }, { b: 2 }])
    }
  })
})

describe('Connect frames', () => {
  const bytes = new Uint8Array([
    ...encodeConnectFrame({ block: { text: { content: '答案是 42' } } }),
    ...encodeConnectFrame({ heartbeat: {} }, 0x80),
    ...encodeConnectFrame({}, CONNECT_FLAG_END_STREAM),
  ])

  it('encodes the 5-byte envelope big-endian', () => {
    const frame = encodeConnectFrame({ a: 1 })
    expect([...frame.subarray(0, 5)]).toEqual([0, 0, 0, 0, 7])
    expect(new TextDecoder().decode(frame.subarray(5))).toBe('{"a":1}')
  })

  it('reassembles frames split at every byte, skipping gRPC-web trailers', async () => {
    for (const chunks of everySplit(bytes)) {
      expect(await drain(readConnectMessages(streamOf(chunks)))).toEqual([
        { end: false, json: { block: { text: { content: '答案是 42' } } } },
        { end: true, json: {} },
      ])
    }
  })

  it('refuses oversized frames and streams cut inside a frame', async () => {
    const huge = new Uint8Array([0, 0x7f, 0xff, 0xff, 0xff])
    await expect(drain(readConnectFrames(streamOf([huge])))).rejects.toThrow(/8 MiB/)
    await expect(drain(readConnectFrames(streamOf([bytes.subarray(0, 9)])))).rejects.toThrow(/inside a frame/)
  })
})
