// The upstream HTTP client adapters use. Streaming calls go through undici's dispatcher
// (http-dispatch.ts: no web-stream layers on the hot path); JSON convenience calls go through
// ofetch on undici's fetch, both loaded on first use. Everything shares one dispatcher, so
// PROXY_URL and connection pooling apply to every upstream request.
import type { FetchError as OFetchError, ofetch as OFetch } from 'ofetch'
import {
  UpstreamError,
  errorFromStatus,
  isAbortError,
  parseRetryAfter,
  protocolError,
  upstreamTimeout,
  upstreamUnavailable,
} from './errors.js'
import { type RawResponse, dispatchRequest, targetOf } from './http-dispatch.js'
import { tryJson } from './json.js'
import { maskSecretsIn } from './log.js'
import { Agent, type Dispatcher, loadFetch, loadProxyAgent } from './undici.js'

export type Query = Record<string, string | number | boolean | undefined>

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Uint8Array
  /** Serialized as the JSON body, with its content type. */
  json?: unknown
  query?: Query
  signal?: AbortSignal
  /** Time allowed until response headers arrive. */
  timeoutMs?: number
  /** Time allowed between two body chunks. */
  idleTimeoutMs?: number
}

export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  header(name: string): string | undefined
  body: AsyncIterable<Uint8Array>
  text(): Promise<string>
  json<T = unknown>(): Promise<T>
  /** Read and drop the rest of the body so the connection can be reused. */
  discard(): Promise<void>
}

export interface HttpClientOptions {
  provider?: string
  proxyUrl?: string
  timeoutMs?: number
  idleTimeoutMs?: number
  dispatcher?: Dispatcher
}

const sharedDispatchers = new Map<string, Dispatcher>()

/** One connection pool per proxy setting, shared by every provider. */
export function dispatcherFor(proxyUrl?: string): Dispatcher {
  const key = proxyUrl ?? ''
  let d = sharedDispatchers.get(key)
  if (!d) {
    d = proxyUrl
      ? new (loadProxyAgent())({ uri: proxyUrl, keepAliveTimeout: 10_000 })
      : new Agent({ keepAliveTimeout: 10_000, pipelining: 1 })
    sharedDispatchers.set(key, d)
  }
  return d
}

export function withQuery(url: string, query?: Query): string {
  if (!query) return url
  const u = new URL(url)
  for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v))
  return u.toString()
}

/** Pull a human message out of an upstream error body (JSON envelopes of many shapes, or text). */
export function upstreamMessage(body: string, status: number): string {
  const parsed = tryJson(body)
  let msg: string
  if (parsed === undefined || parsed === null) msg = body.trim().startsWith('<') ? 'HTML page instead of an API response' : body.trim()
  else {
    const j = parsed as Record<string, unknown>
    const err = j.error as Record<string, unknown> | string | undefined
    msg = String((typeof err === 'object' ? err?.message : err) ?? j.message ?? j.msg ?? j.detail ?? j.error_msg ?? '')
  }
  return maskSecretsIn(msg.slice(0, 300)) || `HTTP ${status}`
}

export class HttpClient {
  readonly provider: string | undefined
  private readonly dispatcher: Dispatcher
  private readonly timeoutMs: number
  private readonly idleTimeoutMs: number
  private fetchJson: Promise<{ ofetch: typeof OFetch; FetchError: typeof OFetchError }> | undefined

  constructor(options: HttpClientOptions = {}) {
    this.provider = options.provider
    this.dispatcher = options.dispatcher ?? dispatcherFor(options.proxyUrl)
    this.timeoutMs = options.timeoutMs ?? 60_000
    this.idleTimeoutMs = options.idleTimeoutMs ?? 120_000
  }

  private loadJsonClient() {
    const dispatcher = this.dispatcher
    this.fetchJson ??= Promise.all([import('ofetch'), loadFetch()]).then(([{ createFetch, FetchError }, undiciFetch]) => ({
      FetchError,
      ofetch: createFetch({
        defaults: { retry: 0 },
        fetch: ((input: string, init: Record<string, unknown>) =>
          undiciFetch(input, { ...init, dispatcher })) as unknown as typeof globalThis.fetch,
      }),
    }))
    return this.fetchJson
  }

  /** Send a request; any status comes back as a response, network failures as UpstreamError. */
  async request(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...options.headers }
    let body = options.body
    if (options.json !== undefined) {
      body = JSON.stringify(options.json)
      headers['content-type'] ??= 'application/json'
    }
    try {
      const res = await dispatchRequest(
        this.dispatcher,
        targetOf(withQuery(url, options.query)),
        {
          method: options.method ?? (body === undefined ? 'GET' : 'POST'),
          headers,
          body,
          signal: options.signal,
          headersTimeout: options.timeoutMs ?? this.timeoutMs,
          bodyTimeout: options.idleTimeoutMs ?? this.idleTimeoutMs,
        },
        (err) => this.networkError(err, 'body'),
      )
      return wrapResponse(res)
    } catch (err) {
      throw this.networkError(err)
    }
  }

  /** Like request(), but a non-2xx status becomes the matching UpstreamError. */
  async ok(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const res = await this.request(url, options)
    if (res.status >= 200 && res.status < 300) return res
    const text = await res.text().catch(() => '')
    throw this.statusError(res.status, text, res.headers['retry-after'])
  }

  /** JSON in, JSON out; non-2xx statuses become UpstreamError. */
  async json<T = unknown>(url: string, options: RequestOptions & { method?: string } = {}): Promise<T> {
    const { ofetch, FetchError } = await this.loadJsonClient()
    // ofetch drops its own `timeout` when the caller passes a signal, so the deadline joins it here.
    const deadline = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs)
    try {
      return await ofetch<T>(url, {
        method: options.method ?? (options.json === undefined && options.body === undefined ? 'GET' : 'POST'),
        headers: options.headers,
        body: (options.json ?? options.body) as Record<string, unknown> | string | undefined,
        query: options.query,
        signal: options.signal ? AbortSignal.any([options.signal, deadline]) : deadline,
        responseType: 'json',
      })
    } catch (err) {
      if (err instanceof FetchError && err.statusCode) {
        const data = typeof err.data === 'string' ? err.data : JSON.stringify(err.data ?? '')
        throw this.statusError(err.statusCode, data, err.response?.headers.get('retry-after') ?? undefined)
      }
      throw this.networkError(err instanceof FetchError && err.cause ? err.cause : err)
    }
  }

  /**
   * A non-2xx answer as its failure class. A 403 HTML page comes from a CDN or firewall (a
   * Cloudflare challenge, a block page), not from the API judging the credential. Public so that
   * adapters that read their upstream's own error codes first can fall back to it.
   */
  statusError(status: number, body: string, retryAfter: string | string[] | undefined): UpstreamError {
    const who = this.provider ?? 'upstream'
    if (status === 403 && body.trimStart().startsWith('<'))
      return protocolError(`${who}: an HTML page (HTTP 403) instead of an API answer: a challenge or block page`, {
        provider: this.provider,
        upstreamStatus: status,
      })
    return errorFromStatus(status, `${who}: ${upstreamMessage(body, status)}`, { provider: this.provider, retryAfterMs: parseRetryAfter(retryAfter) })
  }

  private networkError(err: unknown, phase: 'head' | 'body' = 'head'): unknown {
    if (err instanceof UpstreamError) return err
    const code = (err as { code?: string })?.code ?? ''
    const who = this.provider ?? 'upstream'
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || (err as Error)?.name === 'TimeoutError')
      return upstreamTimeout(`${who} ${phase === 'head' ? 'did not answer in time' : 'stopped sending'}`, { provider: this.provider, cause: err })
    if (isAbortError(err)) return err // the client went away; not the upstream's fault
    const what = phase === 'head' ? 'unreachable' : 'broke off its answer'
    return upstreamUnavailable(`${who} ${what}: ${(err as Error)?.message ?? String(err)}`, {
      provider: this.provider,
      cause: err,
    })
  }
}

function wrapResponse(res: RawResponse): HttpResponse {
  const headers = res.headers as Record<string, string | string[] | undefined>
  return {
    status: res.status,
    headers,
    header: (name) => {
      const v = headers[name.toLowerCase()]
      return Array.isArray(v) ? v[0] : v
    },
    body: res.body,
    text: () => res.body.text(),
    json: async <T>() => JSON.parse(await res.body.text()) as T,
    discard: () => res.body.discard().catch(() => undefined),
  }
}
