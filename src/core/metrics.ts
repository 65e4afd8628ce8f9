// Prometheus metrics (GET /metrics). Nearly everything is fed from the usage rows the recorder
// already hears of (status, model, provider, latency, first byte, tokens), and the gauges are
// read when scraped, so the request path itself does no extra work for them.
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { NewUsage } from '../db/usage.repo.js'
import { RECORD_API_CHAT, RECORD_COMMUNICATE, RECORD_EMBEDDING, RECORD_REALTIME_CHAT, RECORD_SESSION_CHAT } from './meter.js'

const KINDS: Record<number, string> = {
  [RECORD_API_CHAT]: 'chat',
  [RECORD_SESSION_CHAT]: 'session',
  [RECORD_EMBEDDING]: 'embeddings',
  [RECORD_REALTIME_CHAT]: 'realtime',
  [RECORD_COMMUNICATE]: 'communicate',
}
/** A request's kind for the `route` label: the door family that recorded it. */
export const routeOfRecordType = (recordType: number | undefined): string => (recordType === undefined ? 'other' : (KINDS[recordType] ?? 'other'))

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120]

export interface MetricSources {
  /** Credentials per provider and status, read at each scrape. */
  credentials(): { provider: string; status: string; count: number }[]
  /** Door requests (streams included) running now. */
  inflight(): number
}

export class Metrics {
  readonly registry = new Registry()
  private readonly requests = new Counter({
    name: 'freeway_requests_total',
    help: 'Relayed requests by route (door family), status and requested model',
    labelNames: ['route', 'status', 'model'] as const,
    registers: [this.registry],
  })
  private readonly latency = new Histogram({
    name: 'freeway_request_duration_seconds',
    help: 'Whole request time, arrival to the last byte',
    labelNames: ['route', 'model'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  })
  private readonly ttfb = new Histogram({
    name: 'freeway_time_to_first_byte_seconds',
    help: "Arrival to the upstream's first event, for streams",
    labelNames: ['model'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  })
  private readonly upstreamErrors = new Counter({
    name: 'freeway_upstream_errors_total',
    help: 'Failed requests by provider (the first planned when none served; none: no route) and failure kind',
    labelNames: ['provider', 'kind'] as const,
    registers: [this.registry],
  })
  private readonly tokens = new Counter({
    name: 'freeway_tokens_total',
    help: 'Tokens by model and direction (in: prompt, out: completion)',
    labelNames: ['model', 'direction'] as const,
    registers: [this.registry],
  })
  readonly rejections = new Counter({
    name: 'freeway_rate_limit_rejections_total',
    help: 'Requests refused by a rate limit (429)',
    registers: [this.registry],
  })

  constructor(sources: MetricSources) {
    new Gauge({
      name: 'freeway_pool_credentials',
      help: 'Pool credentials by provider and status',
      labelNames: ['provider', 'status'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        for (const c of sources.credentials()) this.set({ provider: c.provider, status: c.status }, c.count)
      },
    })
    new Gauge({
      name: 'freeway_inflight_requests',
      help: 'Door requests running now, streams included',
      registers: [this.registry],
      collect() {
        this.set(sources.inflight())
      },
    })
  }

  /** One settled request (a usage row). */
  observe(row: NewUsage, recordType?: number, provider?: string): void {
    const route = routeOfRecordType(recordType)
    const model = row.model
    this.requests.inc({ route, status: String(row.status), model })
    if (row.latencyMs !== undefined) this.latency.observe({ route, model }, row.latencyMs / 1000)
    if (row.ttftMs !== undefined && row.ttftMs !== null) this.ttfb.observe({ model }, row.ttftMs / 1000)
    if (row.errorClass) this.upstreamErrors.inc({ provider: provider ?? row.provider ?? 'none', kind: row.errorClass })
    if (row.promptTokens) this.tokens.inc({ model, direction: 'in' }, row.promptTokens)
    if (row.completionTokens) this.tokens.inc({ model, direction: 'out' }, row.completionTokens)
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }
}
