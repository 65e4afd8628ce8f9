// The kit's upstream client reads bodies through undici's dispatcher: backpressure reaches the
// upstream, an abandoned or aborted body closes the connection, a silent body times out.
import type { ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { UpstreamError, isAbortError } from '../../src/kit/errors.js'
import { HttpClient } from '../../src/kit/http.js'
import { type RunningServer, startServer } from '../helpers/fake-server.js'

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** Writes `total` bytes in 64 KB pieces, honouring backpressure; records how it ended. */
function writeLots(res: ServerResponse, total: number, state: { finished: boolean; closedEarly: boolean }): void {
  const piece = Buffer.alloc(64 * 1024, 0x61)
  let sent = 0
  res.on('close', () => {
    if (!state.finished) state.closedEarly = true
  })
  res.writeHead(200, { 'content-type': 'application/octet-stream' })
  const more = () => {
    while (sent < total) {
      sent += piece.length
      if (!res.write(piece)) return void res.once('drain', more)
    }
    state.finished = true
    res.end()
  }
  more()
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10)
}

describe('HttpClient over the dispatcher', () => {
  it('pauses the upstream while the reader is behind, and delivers every byte', async () => {
    const total = 32 * 1024 * 1024
    const state = { finished: false, closedEarly: false }
    server = await startServer((_req, res) => writeLots(res, total, state))
    const res = await new HttpClient({ provider: 'test' }).request(server.url)
    const it = res.body[Symbol.asyncIterator]()
    let received = (await it.next()).value!.length
    await sleep(300)
    expect(state.finished).toBe(false) // without backpressure the whole body would be buffered by now
    for (let r = await it.next(); !r.done; r = await it.next()) received += r.value.length
    expect(received).toBe(total)
    expect(state.finished).toBe(true)
  })

  it('hands the reader every HTTP chunk of one socket read at once, bytes intact', async () => {
    const parts = Array.from({ length: 20 }, (_, i) => `data: {"n":${i},"t":"你好🌏"}\n\n`)
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.socket!.cork() // 20 chunked-encoding chunks in one TCP segment
      for (const p of parts) res.write(p)
      res.socket!.uncork()
      setTimeout(() => res.end(), 20)
    })
    const res = await new HttpClient({ provider: 'test' }).request(server.url)
    const reads: string[] = []
    for await (const chunk of res.body) reads.push(Buffer.from(chunk).toString('utf8'))
    expect(reads.join('')).toBe(parts.join(''))
    expect(reads.length).toBeLessThanOrEqual(2) // one wake-up for the 20 chunks (plus the end)
  })

  it('reads a whole body far past the pause mark with text() and json()', async () => {
    const big = JSON.stringify({ items: Array.from({ length: 40_000 }, (_, i) => `item-${i}-é`) }) // ~0.7 MB
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      for (let i = 0; i < big.length; i += 16_384) res.write(big.slice(i, i + 16_384))
      res.end()
    })
    const http = new HttpClient({ provider: 'test' })
    expect(await (await http.request(server.url)).text()).toBe(big)
    const parsed = await (await http.request(server.url)).json<{ items: string[] }>()
    expect(parsed.items).toHaveLength(40_000)
    expect(parsed.items.at(-1)).toBe('item-39999-é')
  })

  it('closes the upstream connection when the reader stops early', async () => {
    const state = { finished: false, closedEarly: false }
    server = await startServer((_req, res) => writeLots(res, 32 * 1024 * 1024, state))
    const res = await new HttpClient({ provider: 'test' }).request(server.url)
    for await (const chunk of res.body) {
      expect(chunk.length).toBeGreaterThan(0)
      break
    }
    await until(() => state.closedEarly)
    expect(state.closedEarly).toBe(true)
  })

  it('turns an upstream that stops sending into a timeout', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: first\n\n') // then silence
    })
    const res = await new HttpClient({ provider: 'test', idleTimeoutMs: 100 }).request(server.url)
    const err = await res.text().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UpstreamError)
    expect((err as UpstreamError).kind).toBe('timeout')
    expect((err as UpstreamError).message).toMatch(/stopped sending/)
  })

  it('aborts before the head and in the middle of the body, closing the connection', async () => {
    let closed = 0
    server = await startServer((req, res) => {
      res.on('close', () => closed++)
      if (req.url === '/slow-head') return // never answers
      res.writeHead(200)
      res.write('partial')
    })
    const http = new HttpClient({ provider: 'test' })
    const early = new AbortController()
    const pending = http.request(`${server.url}/slow-head`, { signal: early.signal })
    await sleep(50)
    early.abort(new DOMException('client disconnected', 'AbortError'))
    expect(isAbortError(await pending.catch((e: unknown) => e))).toBe(true)

    const late = new AbortController()
    const res = await http.request(`${server.url}/body`, { signal: late.signal })
    const reading = res.text().catch((e: unknown) => e)
    await sleep(50)
    late.abort(new DOMException('client disconnected', 'AbortError'))
    expect(isAbortError(await reading)).toBe(true)
    await until(() => closed === 2)
    expect(closed).toBe(2)
  })

  it('maps an unreachable upstream and a broken-off body to unavailable', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' })
      res.write('only part')
      setTimeout(() => res.socket?.destroy(), 20)
    })
    const http = new HttpClient({ provider: 'test' })
    const res = await http.request(server.url)
    const broken = await res.text().catch((e: unknown) => e)
    expect(broken).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/broke off/) })
    const url = server.url
    await server.close()
    server = undefined
    const refused = await http.request(url).catch((e: unknown) => e)
    expect(refused).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/unreachable/) })
  })
})
