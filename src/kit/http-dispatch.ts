// One upstream request on undici's dispatcher API. undici.request() wraps every response body in
// a Node Readable (stream state, nextTick hops, an async iterator, an AbortSignal per request),
// which was the largest per-chunk cost of a relayed stream. Here the response body is a small
// queue the adapter iterates: each chunk the socket delivers reaches the adapter in the same tick,
// and the upstream is paused when the adapter falls behind.
import type { IncomingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'

/** Pause the upstream when this much is buffered and unread (per response). */
const HIGH_WATER_BYTES = 256 * 1024

export interface DispatchOptions {
  method: string
  headers: Record<string, string>
  body: string | Uint8Array | undefined
  signal: AbortSignal | undefined
  headersTimeout: number
  bodyTimeout: number
}

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  body: ResponseBody
}

type Controller = Dispatcher.DispatchController

/** Response bytes as an async iterable; iterate once, or read whole with text(). */
export class ResponseBody implements AsyncIterable<Uint8Array> {
  private chunks: Buffer[] = []
  private buffered = 0
  private ended = false
  private failure: unknown
  private waiter: { resolve(r: IteratorResult<Uint8Array>): void; reject(err: unknown): void } | undefined
  private delivering = false
  /** bytes() is reading the whole body: keep everything, never pause. */
  private collecting = false
  private atEnd: { resolve(): void; reject(err: unknown): void } | undefined

  constructor(
    private readonly controller: Controller,
    private readonly mapError: (err: unknown) => unknown,
    private readonly detach: () => void,
  ) {}

  /**
   * One TCP read often holds many HTTP chunks (an SSE upstream writes one per event) and the
   * parser hands them over one by one, synchronously: the reader is woken once, in a microtask,
   * with all of them, instead of once per chunk.
   */
  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    if (this.waiter) {
      if (!this.delivering) {
        this.delivering = true
        queueMicrotask(this.deliver)
      }
    } else if (!this.collecting && this.buffered > HIGH_WATER_BYTES) this.controller.pause()
  }

  private readonly deliver = () => {
    this.delivering = false
    const w = this.waiter
    if (!w || !this.chunks.length) return
    this.waiter = undefined
    w.resolve({ done: false, value: this.takeAll() })
  }

  private takeAll(): Buffer {
    const parts = this.chunks
    this.chunks = []
    this.buffered = 0
    if (this.controller.paused) this.controller.resume()
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
  }

  end(): void {
    this.ended = true
    this.detach()
    this.wake()
  }

  fail(err: unknown): void {
    this.failure ??= this.mapError(err)
    this.detach()
    this.wake()
  }

  private wake(): void {
    const e = this.atEnd
    this.atEnd = undefined
    if (e && this.failure !== undefined) e.reject(this.failure)
    else e?.resolve()
    const w = this.waiter
    if (!w || this.delivering) return // data still on its way to the reader goes first
    this.waiter = undefined
    if (this.failure !== undefined) w.reject(this.failure)
    else w.resolve({ done: true, value: undefined })
  }

  private next(): Promise<IteratorResult<Uint8Array>> {
    if (this.chunks.length) return Promise.resolve({ done: false, value: this.takeAll() })
    if (this.failure !== undefined) return Promise.reject(this.failure)
    if (this.ended) return Promise.resolve({ done: true, value: undefined })
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject }
    })
  }

  /** The reader stopped early: stop the upstream (the connection is not reused). */
  cancel(): void {
    if (this.ended || this.failure !== undefined) return
    this.failure = new DOMException('response body abandoned', 'AbortError')
    this.chunks = []
    this.controller.abort(this.failure as Error)
    this.detach()
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.next(),
      return: () => {
        this.cancel()
        return Promise.resolve({ done: true, value: undefined })
      },
    }
  }

  /** The whole body: collected as it comes (no pausing, no per-chunk promise), returned at the end. */
  async bytes(): Promise<Buffer> {
    this.collecting = true
    if (this.controller.paused) this.controller.resume()
    if (!this.ended && this.failure === undefined) {
      await new Promise<void>((resolve, reject) => {
        this.atEnd = { resolve, reject }
      })
    }
    if (this.failure !== undefined) throw this.failure
    return this.takeAll()
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8')
  }

  /** Read to the end and drop it, so the connection goes back to the pool. */
  async discard(): Promise<void> {
    for await (const _ of this);
  }
}

export interface Target {
  origin: string
  path: string
}

const targets = new Map<string, Target>()

/** origin and path of a URL; adapters call the same few URLs, so they are parsed once. */
export function targetOf(url: string): Target {
  let t = targets.get(url)
  if (!t) {
    const u = new URL(url)
    t = { origin: u.origin, path: u.pathname + u.search }
    if (targets.size >= 1000) targets.clear() // URLs with per-call ids must not grow this forever
    targets.set(url, t)
  }
  return t
}

/** Send one request; resolves at the response headers, rejects on a failure before them. */
export function dispatchRequest(
  dispatcher: Dispatcher,
  url: Target,
  options: DispatchOptions,
  mapError: (err: unknown) => unknown,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = options
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    let controller: Controller | undefined
    let body: ResponseBody | undefined
    const onAbort = () => controller?.abort(signal!.reason as Error)
    const detach = () => signal?.removeEventListener('abort', onAbort)
    signal?.addEventListener('abort', onAbort, { once: true })
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c
        if (signal?.aborted) c.abort(signal.reason as Error)
      },
      onResponseStart(c, statusCode, headers) {
        if (statusCode < 200) return // 1xx informational: the real head follows
        body = new ResponseBody(c, mapError, detach)
        resolve({ status: statusCode, headers, body })
      },
      onResponseData(_c, chunk) {
        body?.push(chunk)
      },
      onResponseEnd() {
        body?.end()
      },
      onResponseError(_c, err) {
        if (body) body.fail(err)
        else {
          detach()
          reject(err)
        }
      },
    }
    dispatcher.dispatch(
      {
        origin: url.origin,
        path: url.path,
        method: options.method as Dispatcher.HttpMethod,
        headers: options.headers,
        body: options.body ?? null,
        headersTimeout: options.headersTimeout,
        bodyTimeout: options.bodyTimeout,
      },
      handler,
    )
  })
}
