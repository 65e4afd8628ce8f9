// npm run bench [-- --seconds=5 --tsx --entry=other/dist/src/main.js --node-args='--max-semi-space-size=2' --no-pow | --profile[=DIR] | --postgres --redis
//                 | --ab=other/dist/src/main.js --rounds=20]
// Direct-to-upstream vs through Freeway, non-stream and stream, at 50 connections and on one
// sequential connection; the relay's CPU per request and RSS from /proc; targets marked PASS/FAIL.
// --profile instead runs the relay under node --cpu-prof at 50 connections, once per response
// kind, and prints where its CPU time goes per request. --postgres and/or --redis instead compare
// the SQLite default with the shared stores, both billed and limited (bench/store-compare.ts). --ab
// instead loads this build and another in turns, one second each, and prints the median ratio of
// their CPU per request (bench/ab.ts): the comparison that holds on a host whose speed drifts.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { compareBuilds } from './ab.js'
import { type LoadResult, chatBody, concurrent, sequential } from './load.js'
import { PeakSampler, cpuMs, hasProc, hasTaskset, pin, rssMb, selfCpuMs, systemBusyMs } from './proc.js'
import { printSummary } from './profile.js'
import { ROOT, TSX, ensureBuilt, startRelay, startUpstream } from './processes.js'
import { type Measured, printReport } from './report.js'
import { BenchSetupError, openSharedStores } from './shared-stores.js'
import { compareStores } from './store-compare.js'

/** Keep in step with the start script in package.json and the Dockerfile. */
const PRODUCTION_NODE_ARGS = '--max-semi-space-size=8 --max-old-space-size=1536'

const arg = (name: string) => process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))
const argValue = (name: string) => {
  const a = arg(name)
  return a?.includes('=') ? a.slice(a.indexOf('=') + 1) : undefined
}

const SECONDS = Number(argValue('seconds') ?? process.env.BENCH_SECONDS ?? 5)
const SEQ_SECONDS = Math.max(1, Math.round(SECONDS * 0.6))
const CONNECTIONS = 50
/** Quiet time before "RSS after the load" is read: V8's memory reducer needs several seconds. */
const SETTLE_MS = 10_000
/**
 * Quiet time before "RSS idle" is read: the relay's last warm-up request was 1 s before this wait
 * starts, and its idle trim acts after 2 to 3 quiet seconds; 4 s more reads it settled.
 */
const IDLE_MS = 4000
/**
 * Unmeasured warm-up before each one-connection run. Those runs follow the quiet settle period, in
 * which the relay's idle trim ran V8's memory-reducing collection: it frees the maps that only
 * optimized code still referenced, which discards ~100 optimized functions ("weak objects"
 * deopts), and the next ~2 s of traffic run at 1.5-2x the CPU while V8 re-optimizes. The
 * one-connection figures are the warm relay's; the README gives the first seconds' cost too.
 */
const SEQ_WARMUP = { requests: 200, ms: 3000 }
const log = (line: string) => console.error(`[bench] ${line}`)

const body = chatBody

/** CPU that processes other than the bench's own used meanwhile, in cores (a noisy machine shows here). */
function othersMeter(pids: number[]): () => number {
  const ours = () => pids.reduce((sum, pid) => sum + cpuMs(pid), selfCpuMs())
  const sys0 = systemBusyMs()
  const ours0 = ours()
  const t0 = performance.now()
  return () => Math.max(0, (systemBusyMs() - sys0 - (ours() - ours0)) / (performance.now() - t0))
}

async function main(): Promise<void> {
  if (!hasProc()) throw new Error('the bench reads /proc: run it on Linux')
  const cores = availableParallelism()
  const pinned = hasTaskset() && cores >= 2
  if (pinned) pin(process.pid, '0') // load generator here, fake upstream (a child) inherits CPU 0
  const relayCpus = pinned ? '1' : undefined
  const loadCpus = pinned ? '0' : undefined

  const tsx = Boolean(arg('tsx'))
  const entryArg = argValue('entry')
  const entry = entryArg ? resolve(entryArg) : undefined
  // By default the relay runs with the flags `npm start` uses, so the figures describe production.
  const nodeArgs = (argValue('node-args') ?? PRODUCTION_NODE_ARGS).split(' ').filter(Boolean)
  const want = { postgres: Boolean(arg('postgres')), redis: Boolean(arg('redis')) }
  if ((want.postgres || want.redis) && arg('profile')) throw new BenchSetupError('--profile does not combine with --postgres or --redis')
  // Reached before anything is built or started, so a missing server stops the bench at once.
  if (want.postgres || want.redis) {
    const stores = await openSharedStores(want)
    try {
      if (!tsx && !entry) ensureBuilt(log)
      const upstream = await startUpstream(loadCpus)
      const relay = { upstreamPort: upstream.port, cpus: relayCpus, tsx, nodeArgs, ...(entry ? { entry } : {}) }
      await compareStores({ relay, stores, connections: CONNECTIONS, seconds: SECONDS, seqSeconds: SEQ_SECONDS, seqWarmup: SEQ_WARMUP, log }).finally(upstream.stop)
    } finally {
      await stores.drop()
    }
    return
  }
  if (!tsx && !entry) ensureBuilt(log)
  const other = argValue('ab')
  if (other && (tsx || arg('profile'))) throw new BenchSetupError('--ab does not combine with --tsx or --profile')
  const upstream = await startUpstream(loadCpus)
  if (other) {
    const rounds = Number(argValue('rounds') ?? 20)
    await compareBuilds({ upstreamPort: upstream.port, cpus: relayCpus, nodeArgs, entries: [entry, resolve(other)], rounds, log }).finally(upstream.stop)
    return
  }
  if (arg('profile')) {
    try {
      await profileRun(upstream.port, relayCpus, tsx, nodeArgs, entry)
    } finally {
      await upstream.stop()
    }
    return
  }
  const relay = await startRelay({ upstreamPort: upstream.port, cpus: relayCpus, tsx, nodeArgs, ...(entry ? { entry } : {}) }).catch(
    async (err: unknown) => {
      await upstream.stop()
      throw err
    },
  )
  const directUrl = `http://127.0.0.1:${upstream.port}/v1/chat/completions`
  const relayUrl = `http://127.0.0.1:${relay.port}/v1/chat/completions`
  const m: Measured = {
    entry: `${[...nodeArgs, ''].join(' ')}${entry ?? (tsx ? 'src/main.ts via tsx' : 'dist/src/main.js')}`,
    node: process.version,
    cores,
    pinned,
    seconds: SECONDS,
    seqSeconds: SEQ_SECONDS,
    connections: CONNECTIONS,
    results: {},
    cpuPerRequest: {},
    upstreamCpuPerRequest: {},
    rss: { idle: 0, peak: 0, after: 0 },
    others: {},
  }
  const pids = [relay.pid, upstream.pid]

  try {
    log(`relay pid ${relay.pid} on ${relayCpus ? `CPU ${relayCpus}` : 'any CPU'}, fake upstream pid ${upstream.pid}`)
    // Warm-up on one connection (JIT, connection pools, SQLite pages), then the idle footprint;
    // then a short warm-up at full concurrency before the measured runs.
    for (const stream of [false, true]) {
      await sequential(relayUrl, body(stream), 1)
      await sequential(directUrl, body(stream), 1)
    }
    await sleep(IDLE_MS)
    m.rss.idle = rssMb(relay.pid)
    log(`idle RSS ${m.rss.idle.toFixed(1)} MB`)
    for (const stream of [false, true]) {
      await concurrent(relayUrl, body(stream), CONNECTIONS, 1)
      await concurrent(directUrl, body(stream), CONNECTIONS, 1)
    }

    const peak = new PeakSampler(() => rssMb(relay.pid))
    for (const stream of [false, true]) {
      const kind = stream ? 'stream' : 'nonstream'
      log(`${CONNECTIONS} connections, ${kind}: direct`)
      let up0 = cpuMs(upstream.pid)
      const direct = await concurrent(directUrl, body(stream), CONNECTIONS, SECONDS)
      m.upstreamCpuPerRequest[kind] = (cpuMs(upstream.pid) - up0) / direct.requests
      log(`${CONNECTIONS} connections, ${kind}: through the relay`)
      peak.start()
      const c0 = cpuMs(relay.pid)
      up0 = cpuMs(upstream.pid)
      const others = othersMeter(pids)
      const relayed = await concurrent(relayUrl, body(stream), CONNECTIONS, SECONDS)
      m.others[`c_${kind}`] = others()
      m.cpuPerRequest[`c_${kind}`] = (cpuMs(relay.pid) - c0) / relayed.requests
      m.upstreamCpuPerRequest[`relay_${kind}`] = (cpuMs(upstream.pid) - up0) / relayed.requests
      m.rss.peak = Math.max(m.rss.peak, peak.stop())
      m.results[`c_${kind}`] = { direct, relay: relayed }
    }
    await sleep(SETTLE_MS)
    m.rss.after = rssMb(relay.pid)
    log(`RSS after the load ${m.rss.after.toFixed(1)} MB`)

    for (const stream of [false, true]) {
      const kind = stream ? 'stream' : 'nonstream'
      log(`1 connection, ${kind}: direct, then through the relay`)
      const direct = await sequential(directUrl, body(stream), SEQ_SECONDS, undefined, SEQ_WARMUP)
      let c0 = 0
      let others = () => 0
      const relayed: LoadResult = await sequential(
        relayUrl,
        body(stream),
        SEQ_SECONDS,
        () => {
          c0 = cpuMs(relay.pid)
          others = othersMeter(pids)
        },
        SEQ_WARMUP,
      )
      m.others[`s_${kind}`] = others()
      m.cpuPerRequest[`s_${kind}`] = (cpuMs(relay.pid) - c0) / relayed.requests
      m.results[`s_${kind}`] = { direct, relay: relayed }
    }
  } finally {
    await relay.stop()
    await upstream.stop()
  }

  const failed = printReport(m)
  const pow = join(ROOT, 'bench/pow.ts')
  if (existsSync(pow) && !arg('no-pow')) {
    console.log('\nDeepSeek proof-of-work solver (bench/pow.ts)')
    const r = spawnSync(process.execPath, ['--import', TSX, pow], { cwd: ROOT, stdio: 'inherit' })
    if (r.status !== 0) log(`bench/pow.ts exited with ${r.status ?? r.signal}`)
  }
  if (failed && process.env.BENCH_STRICT) process.exitCode = 1
}

/** One profiled relay per response kind: warm-up + a measured run at 50 connections. */
async function profileRun(upstreamPort: number, cpus: string | undefined, tsx: boolean, extraArgs: string[], entry?: string): Promise<void> {
  const base = resolve(argValue('profile') ?? join(tmpdir(), `freeway-profile-${Date.now()}`))
  for (const stream of [false, true]) {
    const dir = join(base, stream ? 'stream' : 'nonstream')
    mkdirSync(dir, { recursive: true })
    const nodeArgs = [...extraArgs, '--cpu-prof', `--cpu-prof-dir=${dir}`]
    const relay = await startRelay({ upstreamPort, cpus, tsx, nodeArgs, ...(entry ? { entry } : {}) })
    const url = `http://127.0.0.1:${relay.port}/v1/chat/completions`
    let requests = 0
    try {
      const warm = await concurrent(url, body(stream), CONNECTIONS, 1)
      const c0 = cpuMs(relay.pid)
      const run = await concurrent(url, body(stream), CONNECTIONS, SECONDS)
      const perRequest = (cpuMs(relay.pid) - c0) / run.requests
      requests = warm.requests + warm.errors + run.requests + run.errors
      log(`${stream ? 'stream' : 'non-stream'}: ${run.rps.toFixed(0)} requests/s, ${perRequest.toFixed(3)} ms CPU per request`)
    } finally {
      await relay.stop()
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
    if (!file) throw new Error(`no .cpuprofile in ${dir}: did the relay exit cleanly?`)
    console.log(`\n== ${stream ? '20-chunk stream' : 'non-stream'}, ${CONNECTIONS} connections`)
    printSummary(join(dir, file), requests)
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof BenchSetupError ? `[bench] ${err.message}` : err)
  process.exit(1)
})
