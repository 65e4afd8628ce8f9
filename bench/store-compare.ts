// `npm run bench -- --postgres --redis` (either or both): two relays in one run, the SQLite
// default and one on the shared stores, measured turn about on the same load, so the machine's
// noise falls on both alike. Both bill every request (a user with a balance, a price for the
// bench model: a reservation and a settlement per request) and limit the key (rpm, tpm and
// concurrency: the limit checks run in Redis when it is on).
import { type LoadResult, chatBody, concurrent, sequential } from './load.js'
import { cpuMs } from './proc.js'
import { type RelayOptions, startRelay } from './processes.js'
import type { SharedStores } from './shared-stores.js'

const USER = 'bench-user'
/** Never runs out: each request reserves its prompt plus 1024 tokens of answer. */
const BALANCE = 1e12
/** High enough never to refuse the bench's load, so every request passes the checks. */
const KEY_LIMITS = { rpm: 100_000_000, tpm: 1_000_000_000, concurrency: 1000 }
const BILLING = ['billing:', '  prices:', '    bench-model: { prompt: 1, completion: 2 }']

export interface CompareOptions {
  relay: Omit<RelayOptions, 'configLines' | 'env'>
  stores: SharedStores
  connections: number
  seconds: number
  seqSeconds: number
  seqWarmup: { requests: number; ms: number }
  log: (line: string) => void
}

interface Variant {
  label: string
  pid: number
  port: number
  url: string
  headers: Record<string, string>
  stop: () => Promise<void>
  meter: () => Promise<() => Promise<Record<string, number>>>
  cpu: Record<string, number>
  storeCpu: Record<string, Record<string, number>>
  results: Record<string, LoadResult>
}

async function admin<T>(port: number, method: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const answer = (await res.json()) as { code: number; data: T }
  if (!res.ok || answer.code !== 0) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(answer)}`)
  return answer.data
}

/** A relay with the billed, limited key; checks once that a request is billed and limited. */
async function startVariant(label: string, o: CompareOptions, shared: boolean): Promise<Variant> {
  const relay = await startRelay({
    ...o.relay,
    configLines: [...BILLING, ...(shared ? o.stores.configLines : [])],
    env: shared ? o.stores.env : { DATABASE_URL: '', MYSQL_DSN: '', REDIS_URL: '' },
  })
  try {
    const key = await admin<{ apiKey: string }>(relay.port, 'PUT', '/api/key', { remark: 'bench', userId: USER, ...KEY_LIMITS })
    await admin(relay.port, 'POST', '/user/token/add', { user_id: USER, token: BALANCE })
    const url = `http://127.0.0.1:${relay.port}/v1/chat/completions`
    const headers = { authorization: `Bearer ${key.apiKey}` }
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: chatBody(false) })
    await res.arrayBuffer()
    const charged = BALANCE - (await balance(relay.port))
    if (res.status !== 200 || !res.headers.get('x-ratelimit-limit-requests') || !(charged > 0))
      throw new Error(`${label}: a request with the bench key was not billed and limited (status ${res.status}, charged ${charged})`)
    const meter = shared ? () => o.stores.meter() : async () => async () => ({})
    return { label, pid: relay.pid, port: relay.port, url, headers, stop: relay.stop, meter, cpu: {}, storeCpu: {}, results: {} }
  } catch (err) {
    await relay.stop()
    throw err
  }
}

async function balance(port: number): Promise<number> {
  const page = await fetch(`http://127.0.0.1:${port}/user/list?user_id=${USER}`).then((r) => r.json() as Promise<{ data: { list: { avail_token: number }[] } }>)
  return page.data.list[0]?.avail_token ?? Number.NaN
}

export async function compareStores(o: CompareOptions): Promise<void> {
  const variants: Variant[] = []
  const direct: Record<string, LoadResult> = {}
  const directUrl = `http://127.0.0.1:${o.relay.upstreamPort}/v1/chat/completions`
  try {
    variants.push(await startVariant('SQLite', o, false))
    variants.push(await startVariant(o.stores.label, o, true))
    o.log(`relays: SQLite pid ${variants[0]!.pid}, ${o.stores.label} pid ${variants[1]!.pid}, each with a billed, limited key`)
    for (const v of variants)
      for (const stream of [false, true]) {
        await sequential(v.url, chatBody(stream), 1, undefined, undefined, v.headers)
        await concurrent(v.url, chatBody(stream), o.connections, 1, v.headers)
      }
    for (const stream of [false, true]) {
      const kind = stream ? 'stream' : 'nonstream'
      for (const v of variants) {
        o.log(`${o.connections} connections, ${kind}: ${v.label}`)
        const stores = await v.meter()
        const c0 = cpuMs(v.pid)
        const r = await concurrent(v.url, chatBody(stream), o.connections, o.seconds, v.headers)
        v.cpu[kind] = (cpuMs(v.pid) - c0) / r.requests
        v.storeCpu[kind] = Object.fromEntries(Object.entries(await stores()).map(([name, ms]) => [name, ms / r.requests]))
        v.results[`c_${kind}`] = r
      }
    }
    for (const stream of [false, true]) {
      const kind = stream ? 'stream' : 'nonstream'
      o.log(`1 connection, ${kind}: direct, then each relay`)
      direct[kind] = await sequential(directUrl, chatBody(stream), o.seqSeconds, undefined, o.seqWarmup)
      for (const v of variants) v.results[`s_${kind}`] = await sequential(v.url, chatBody(stream), o.seqSeconds, undefined, o.seqWarmup, v.headers)
    }
    printComparison(o, variants, direct, await Promise.all(variants.map((v) => balance(v.port))))
  } finally {
    for (const v of variants) await v.stop()
  }
}

const f = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits))
const row = (label: string, a: string, b: string, ratio = '') => `  ${label.padEnd(54)}${a.padStart(12)}${b.padStart(22)}${ratio.padStart(9)}`
const ratioOf = (a: number | undefined, b: number | undefined) => (a && b !== undefined ? f(b / a, 2) : '')

function printComparison(o: CompareOptions, [sqlite, shared]: Variant[], direct: Record<string, LoadResult>, balances: number[]): void {
  const out = ['', `Shared stores against the SQLite default: ${shared!.label}; ${o.connections} connections for ${o.seconds} s, one connection for ${o.seqSeconds} s`]
  out.push('every request billed (a reservation and a settlement) and limited (rpm, tpm, concurrency on the key) in both', '')
  out.push(row('', 'SQLite', shared!.label, 'ratio'))
  const both = (label: string, value: (v: Variant) => number | undefined, digits = 3) => {
    const [a, b] = [value(sqlite!), value(shared!)]
    out.push(row(label, f(a, digits), f(b, digits), ratioOf(a, b)))
  }
  for (const kind of ['nonstream', 'stream']) {
    const name = kind === 'stream' ? 'stream' : 'non-stream'
    both(`relay CPU per request, ${name} (ms)`, (v) => v.cpu[kind])
    const servers = Object.entries(shared!.storeCpu[kind] ?? {})
    for (const [server, ms] of servers) out.push(row(`  + ${server === 'redis' ? 'Redis server' : 'PostgreSQL backends'} CPU per request (ms)`, '', f(ms)))
    if (servers.length) both('  = relay and store servers (ms)', (v) => v.cpu[kind]! + Object.values(v.storeCpu[kind] ?? {}).reduce((a, b) => a + b, 0))
    both(`requests/s, ${name}, ${o.connections} connections`, (v) => v.results[`c_${kind}`]?.rps, 0)
  }
  for (const kind of ['nonstream', 'stream']) {
    const d = direct[kind]
    both(`added latency p50, one connection, ${kind === 'stream' ? 'stream' : 'non-stream'} (ms)`, (v) => (d ? v.results[`s_${kind}`]!.p50 - d.p50 : undefined))
  }
  const d = direct.stream
  both('added first byte p50, one connection, stream (ms)', (v) => (d ? v.results.s_stream!.ttfbP50! - d.ttfbP50! : undefined))
  const failed = (v: Variant) => Object.values(v.results).reduce((sum, r) => sum + r.errors, 0)
  out.push(row('failed requests', String(failed(sqlite!)), String(failed(shared!))))
  out.push(row('tokens charged to the bench user', f(BALANCE - balances[0]!, 0), f(BALANCE - balances[1]!, 0)))
  const notes = ['ratio: shared stores / SQLite']
  if (shared!.label.includes('PostgreSQL')) notes.push('PostgreSQL backends: those serving the bench database')
  if (shared!.label.includes('Redis')) notes.push('Redis: the whole server (its other users count too)')
  out.push(`  ${notes.join('; ')}`)
  console.log(out.join('\n'))
}
