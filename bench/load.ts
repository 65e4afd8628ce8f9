// The two load shapes: many connections through autocannon, and one sequential connection through
// a small undici client that also times the first body byte (autocannon does not).
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { Client } from 'undici'

export interface LoadResult {
  requests: number
  errors: number
  rps: number
  p50: number
  p99: number
  /** Time to first body byte, ms (sequential runs only). */
  ttfbP50?: number
  ttfbP99?: number
}

/** The bench's chat request: a short prompt to the fake upstream's model. */
export const chatBody = (stream: boolean) =>
  JSON.stringify({
    model: 'bench-model',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Say hello in twenty words.' },
    ],
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  })

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (!sorted.length) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

const sortedOf = (values: number[]) => Float64Array.from(values).sort()

/** `connections` keep-alive connections for `seconds`; latencies kept at full resolution. */
export async function concurrent(url: string, body: string, connections: number, seconds: number, headers: Record<string, string> = {}): Promise<LoadResult> {
  const latencies: number[] = []
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    timeout: 10,
  })
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms)
  })
  const result = await instance
  const sorted = sortedOf(latencies)
  const errors = result.errors + result.timeouts + result.non2xx
  if (errors)
    console.error(`[bench] ${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx ${JSON.stringify(result.statusCodeStats)}`)
  return {
    requests: result['2xx'],
    errors,
    rps: result['2xx'] / result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  }
}

/**
 * One keep-alive connection, one request at a time, for `seconds` after a warm-up: at least
 * `warmup.requests` requests and `warmup.ms` milliseconds, unmeasured.
 */
export async function sequential(
  url: string,
  body: string,
  seconds: number,
  onMeasureStart: () => void = () => {},
  warmup: { requests: number; ms: number } = { requests: 200, ms: 0 },
  headers: Record<string, string> = {},
): Promise<LoadResult> {
  const u = new URL(url)
  const client = new Client(u.origin, { pipelining: 1, keepAliveTimeout: 30_000 })
  const total: number[] = []
  const ttfb: number[] = []
  let errors = 0
  let count = 0
  let started = 0
  try {
    const warmupStarted = performance.now()
    for (let i = 0; ; i++) {
      if (!started && i >= warmup.requests && performance.now() - warmupStarted >= warmup.ms) {
        onMeasureStart()
        started = performance.now()
      }
      const warming = !started
      if (!warming && performance.now() - started > seconds * 1000) break
      const t0 = performance.now()
      const res = await client.request({
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      })
      let first = 0
      for await (const _chunk of res.body) if (!first) first = performance.now()
      const end = performance.now()
      if (warming) continue
      if (res.statusCode !== 200) {
        errors++
        continue
      }
      count++
      total.push(end - t0)
      ttfb.push((first || end) - t0)
    }
  } finally {
    await client.close()
  }
  const elapsed = (performance.now() - started) / 1000
  const sortedTotal = sortedOf(total)
  const sortedTtfb = sortedOf(ttfb)
  return {
    requests: count,
    errors,
    rps: count / elapsed,
    p50: percentile(sortedTotal, 50),
    p99: percentile(sortedTotal, 99),
    ttfbP50: percentile(sortedTtfb, 50),
    ttfbP99: percentile(sortedTtfb, 99),
  }
}
