// The SSE responder coalesces: what is ready in one turn of the event loop leaves in one write,
// the head with it, and a stream that is complete at once leaves in a single end().
import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { type SseHandlers, streamToNode } from '../../src/http/sse-response.js'

class RecordingResponse extends EventEmitter {
  calls: string[] = []
  headersSent = false
  writableEnded = false
  writableNeedDrain = false
  writableFinished = false
  writeHead(status: number) {
    this.calls.push(`head ${status}`)
    return this
  }
  flushHeaders() {
    this.headersSent = true
    this.calls.push('flush')
  }
  write(text: string) {
    this.headersSent = true
    this.calls.push(`write ${text}`)
    return true
  }
  end(text = '') {
    this.writableEnded = true
    this.writableFinished = true
    this.calls.push(`end ${text}`)
    this.emit('finish')
  }
}

const handlers: SseHandlers<string> = {
  render: (e) => (e ? `data: ${e}\n\n` : ''),
  end: () => 'data: [DONE]\n\n',
  fail: () => 'data: {"error":{}}\n\n',
  abandoned: () => undefined,
}

async function run(events: AsyncIterable<string>): Promise<string[]> {
  const res = new RecordingResponse()
  streamToNode(res as unknown as ServerResponse, { headers: {}, pingMs: 60_000, events, handlers })
  await new Promise((resolve) => res.once('finish', resolve))
  return res.calls
}

describe('SSE sink', () => {
  it('sends a stream that is complete at once in a single end()', async () => {
    async function* all() {
      yield 'a'
      yield 'b'
      yield 'c'
    }
    expect(await run(all())).toEqual(['head 200', 'end data: a\n\ndata: b\n\ndata: c\n\ndata: [DONE]\n\n'])
  })

  it('writes once per turn of the event loop, and sends the head alone when the first turn has nothing', async () => {
    async function* spread() {
      yield '' // renders to nothing (like a conversation event)
      await sleep(20)
      yield 'a'
      yield 'b'
      await sleep(20)
      yield 'c'
    }
    expect(await run(spread())).toEqual(['head 200', 'flush', 'write data: a\n\ndata: b\n\n', 'end data: c\n\ndata: [DONE]\n\n'])
  })
})
