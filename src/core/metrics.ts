// Prometheus metrics (GET /metrics). Nearly everything is fed from the usage rows the recorder
// already hears of (status, model, provider, latency, first byte, tokens), and the gauges are
// read when scraped, so the request path itself does no extra work for them.
import type { Registry } from 'prom-client'
import { CellMetric } from './metric-cells.js'
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
  /** Media tasks this instance has not finished yet. */
  tasks(): number
}

export class Metrics {
  /** Built on the first scrape: prom-client (~8 MB of resident code) loads only when scraped. */
  private registry: Promise<Registry> | undefined
  private readonly requests = CellMetric.counter('freeway_requests_total', 'Relayed requests by route (door family), status and requested model', [
    'route',
    'status',
    'model',
  ])
  private readonly latency = CellMetric.histogram('freeway_request_duration_seconds', 'Whole request time, arrival to the last byte', ['route', 'model'], SECONDS)
  private readonly ttfb = CellMetric.histogram('freeway_time_to_first_byte_seconds', "Arrival to the upstream's first event, for streams", ['model'], SECONDS)
  private readonly upstreamErrors = CellMetric.counter(
    'freeway_upstream_errors_total',
    'Failed requests by provider (the first planned when none served; none: no route) and failure kind',
    ['provider', 'kind'],
  )
  private readonly tokens = CellMetric.counter('freeway_tokens_total', 'Tokens by model and direction (in: prompt, out: completion)', ['model', 'direction'])
  private readonly rejections = CellMetric.counter('freeway_rate_limit_rejections_total', 'Requests refused by a rate limit (429)', [])

  constructor(private readonly sources: MetricSources) {}

  private async build(): Promise<Registry> {
    const { Gauge, Registry } = await import('prom-client')
    const registry = new Registry()
    for (const m of [this.requests, this.latency, this.ttfb, this.upstreamErrors, this.tokens, this.rejections]) registry.registerMetric(m.asMetric())
    const { sources } = this
    new Gauge({
      name: 'freeway_pool_credentials',
      help: 'Pool credentials by provider and status',
      labelNames: ['provider', 'status'] as const,
      registers: [registry],
      collect() {
        this.reset()
        for (const c of sources.credentials()) this.set({ provider: c.provider, status: c.status }, c.count)
      },
    })
    new Gauge({
      name: 'freeway_inflight_requests',
      help: 'Door requests running now, streams included',
      registers: [registry],
      collect() {
        this.set(sources.inflight())
      },
    })
    new Gauge({
      name: 'freeway_task_queue_depth',
      help: "Media tasks this instance has not finished yet (waiting for their next poll, or polling)",
      registers: [registry],
      collect() {
        this.set(sources.tasks())
      },
    })
    return registry
  }

  /** One settled request (a usage row). */
  observe(row: NewUsage, recordType?: number, provider?: string): void {
    const route = routeOfRecordType(recordType)
    const model = row.model
    this.requests.inc([route, String(row.status), model])
    if (row.latencyMs !== undefined) this.latency.observe([route, model], row.latencyMs / 1000)
    if (row.ttftMs !== undefined && row.ttftMs !== null) this.ttfb.observe([model], row.ttftMs / 1000)
    if (row.errorClass) this.upstreamErrors.inc([provider ?? row.provider ?? 'none', row.errorClass])
    if (row.promptTokens) this.tokens.inc([model, 'in'], row.promptTokens)
    if (row.completionTokens) this.tokens.inc([model, 'out'], row.completionTokens)
  }

  /** A request a rate limit refused. */
  rejected(): void {
    this.rejections.inc([])
  }

  /** The exposition and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    this.registry ??= this.build()
    const registry = await this.registry
    return { text: await registry.metrics(), contentType: registry.contentType }
  }
}
