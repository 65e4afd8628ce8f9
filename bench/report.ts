// The bench's printed table and its targets (from the benchmark spec), each marked PASS or FAIL.
import type { LoadResult } from './load.js'

export interface Measured {
  node: string
  cores: number
  pinned: boolean
  /** What ran as the relay. */
  entry: string
  seconds: number
  seqSeconds: number
  connections: number
  /** c_* = many connections, s_* = one sequential connection; nonstream / stream. */
  results: Record<string, { direct: LoadResult; relay: LoadResult }>
  /** Relay CPU ms per successful (2xx) request, same keys. */
  cpuPerRequest: Record<string, number>
  /** The fake upstream's CPU ms per request: what a bare node:http server costs. */
  upstreamCpuPerRequest: Record<string, number>
  rss: { idle: number; peak: number; after: number }
  /** CPU used by other processes on the machine during each relay run, in cores. */
  others: Record<string, number>
}

const f = (v: number | undefined, digits = 2) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits))
const signed = (v: number, digits = 2) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`
const row = (cells: string[]) =>
  `  ${cells[0]!.padEnd(30)}${cells
    .slice(1)
    .map((c) => c.padStart(13))
    .join('')}`

function section(m: Measured, key: string, title: string, sequentialRun: boolean): string[] {
  const r = m.results[key]
  if (!r) return []
  const { direct: d, relay: x } = r
  const lines = [`${title}`, row(['', 'direct', 'relay', 'relay/direct', 'added'])]
  lines.push(row(['requests/s', f(d.rps, 0), f(x.rps, 0), f(x.rps / d.rps), '']))
  lines.push(row(['latency p50 (ms)', f(d.p50, 3), f(x.p50, 3), f(x.p50 / d.p50), signed(x.p50 - d.p50, 3)]))
  lines.push(row(['latency p99 (ms)', f(d.p99, 3), f(x.p99, 3), f(x.p99 / d.p99), signed(x.p99 - d.p99, 3)]))
  if (key === 's_stream') {
    lines.push(row(['first byte p50 (ms)', f(d.ttfbP50, 3), f(x.ttfbP50, 3), f(x.ttfbP50! / d.ttfbP50!), signed(x.ttfbP50! - d.ttfbP50!, 3)]))
    lines.push(row(['first byte p99 (ms)', f(d.ttfbP99, 3), f(x.ttfbP99, 3), f(x.ttfbP99! / d.ttfbP99!), signed(x.ttfbP99! - d.ttfbP99!, 3)]))
  }
  const kind = key.slice(2)
  const upstreamCpu = sequentialRun ? undefined : m.upstreamCpuPerRequest[kind]
  lines.push(row(['CPU per request (ms)', upstreamCpu === undefined ? '' : `${f(upstreamCpu, 3)}*`, f(m.cpuPerRequest[key], 3), '', '']))
  lines.push(row(['2xx requests (failed)', `${d.requests} (${d.errors})`, `${x.requests} (${x.errors})`, '', '']))
  const others = m.others[key]
  if (others !== undefined && others >= 0.05)
    lines.push(`  (other processes used ${others.toFixed(2)} cores during the relay run: latency figures are disturbed)`)
  return lines
}

interface Target {
  label: string
  value: number | undefined
  limit: number
  unit: string
}

/** Prints the report; returns true when a target failed. */
export function printReport(m: Measured): boolean {
  const out: string[] = []
  const where = m.pinned ? 'relay pinned to CPU 1, load generator and fake upstream on CPU 0' : 'no pinning (taskset missing or one CPU)'
  out.push('')
  out.push(`Freeway relay bench: node ${m.node}, ${m.cores} CPUs, ${where}; relay ${m.entry}`)
  out.push(`stream = 20 content chunks + finish + usage + [DONE]; ${m.connections} connections for ${m.seconds} s, one connection for ${m.seqSeconds} s`)
  out.push('')
  out.push(...section(m, 'c_nonstream', `${m.connections} connections, non-stream`, false))
  out.push(...section(m, 'c_stream', `${m.connections} connections, stream`, false))
  out.push(...section(m, 's_nonstream', '1 connection, non-stream', true))
  out.push(...section(m, 's_stream', '1 connection, stream', true))
  out.push('  * direct column: CPU of the fake upstream (bare node:http) per request, for scale')
  out.push('')
  out.push(`Relay RSS: idle after a one-connection warm-up ${f(m.rss.idle, 1)} MB, peak under load ${f(m.rss.peak, 1)} MB, 10 s after the load ${f(m.rss.after, 1)} MB`)
  out.push('')

  const seqN = m.results.s_nonstream
  const seqS = m.results.s_stream
  const targets: Target[] = [
    { label: 'CPU per relayed request, non-stream', value: m.cpuPerRequest.c_nonstream, limit: 0.25, unit: 'ms' },
    { label: 'CPU per relayed request, 20-chunk stream', value: m.cpuPerRequest.c_stream, limit: 0.35, unit: 'ms' },
    { label: 'added latency p50, one connection', value: seqN && seqN.relay.p50 - seqN.direct.p50, limit: 0.5, unit: 'ms' },
    { label: 'added first byte p50, one connection, stream', value: seqS && seqS.relay.ttfbP50! - seqS.direct.ttfbP50!, limit: 1, unit: 'ms' },
    { label: 'RSS idle', value: m.rss.idle, limit: 80, unit: 'MB' },
    { label: `RSS peak at ${m.connections} connections`, value: m.rss.peak, limit: 150, unit: 'MB' },
  ]
  // "Given back after the load": at most a quarter of the growth under load is still held
  // (or within 10 MB of idle, for small growths).
  const growth = m.rss.peak - m.rss.idle
  const kept = m.rss.after - m.rss.idle
  const givenBack = kept <= Math.max(10, growth * 0.25)
  let failed = false
  out.push('Targets')
  for (const t of targets) {
    const ok = t.value !== undefined && !Number.isNaN(t.value) && t.value <= t.limit
    failed ||= !ok
    const digits = t.unit === 'MB' ? 1 : 3
    out.push(`  ${ok ? 'PASS' : 'FAIL'}  ${t.label.padEnd(46)} ${f(t.value, digits).padStart(8)} ${t.unit}  (limit ${t.limit} ${t.unit})`)
  }
  failed ||= !givenBack
  const relayErrors = Object.values(m.results).reduce((sum, r) => sum + r.relay.errors, 0)
  failed ||= relayErrors > 0
  out.push(`  ${relayErrors ? 'FAIL' : 'PASS'}  ${'every relayed request answered 200'.padEnd(46)} ${String(relayErrors).padStart(8)} failed`)
  out.push(
    `  ${givenBack ? 'PASS' : 'FAIL'}  ${'RSS given back after the load'.padEnd(46)} ${f(m.rss.after, 1).padStart(8)} MB  ` +
      `(holds ${f(kept, 1)} of ${f(growth, 1)} MB grown; limit max(10 MB, 25%))`,
  )
  console.log(out.join('\n'))
  return failed
}
