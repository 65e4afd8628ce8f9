// Start and stop the bench's processes: the fake upstream and the relay (the built server,
// rebuilt first when dist/ is missing or older than the sources), both on loopback.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export const ROOT = resolve(import.meta.dirname, '..')
const MAIN_JS = join(ROOT, 'dist/src/main.js')
/** tsx's loader by absolute URL: the relay runs in a temporary directory, outside this package. */
export const TSX = import.meta.resolve('tsx')

/** Children still running; killed when the bench exits, however it exits. */
const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})
/** Asynchronous clean-ups (a database to drop) that Ctrl-C must still run; the exit handler cannot wait. */
const onInterrupt = new Set<() => Promise<void>>()
export function cleanUpOnInterrupt(cleanup: () => Promise<void>): () => void {
  onInterrupt.add(cleanup)
  return () => onInterrupt.delete(cleanup)
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    if (!onInterrupt.size) process.exit(130)
    for (const child of live) child.kill('SIGKILL')
    const cleanups = Promise.allSettled([...onInterrupt].map((cleanup) => cleanup()))
    void Promise.race([cleanups, sleep(10_000)]).finally(() => process.exit(130))
  })

function track(child: ChildProcess): ChildProcess {
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'fixtures') continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

/** Build dist/ with `npm run build` when it is missing or older than src/ and providers/. */
export function ensureBuilt(log: (line: string) => void): void {
  const built = existsSync(MAIN_JS) ? statSync(MAIN_JS).mtimeMs : 0
  const sources = Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'providers')))
  if (built >= sources) return
  log(built ? 'dist/ is older than the sources: npm run build' : 'dist/ is missing: npm run build')
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (err) {
    // tsc still emits JavaScript when type errors exist elsewhere; only a missing entry point stops us.
    if (!existsSync(MAIN_JS)) throw err
    log('npm run build reported errors; benchmarking the JavaScript it emitted')
  }
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer()
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address ? address.port : 0
      srv.close(() => done(port))
    })
  })
}

function command(cpus: string | undefined, args: string[]): [string, string[]] {
  return cpus ? ['taskset', ['-c', cpus, ...args]] : [args[0]!, args.slice(1)]
}

export interface Started {
  child: ChildProcess
  pid: number
  stop(): Promise<void>
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((done) => child.once('exit', () => done()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
}

/** The fake upstream, in its own process; resolves once it prints its port. */
export async function startUpstream(cpus: string | undefined): Promise<Started & { port: number }> {
  const [cmd, args] = command(cpus, [process.execPath, '--import', TSX, join(ROOT, 'bench/fake-upstream.ts')])
  const child = track(spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }))
  const port = await new Promise<number>((done, fail) => {
    let out = ''
    child.once('exit', (code) => fail(new Error(`fake upstream exited with ${code}`)))
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /PORT (\d+)/.exec(out)
      if (m) done(Number(m[1]))
    })
  })
  child.removeAllListeners('exit')
  return { child, pid: child.pid!, port, stop: stopper(child) }
}

async function waitReady(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the relay exited with code ${child.exitCode} before it was ready`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`)
      await res.arrayBuffer()
      if (res.ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the relay did not become ready within 20 s')
    await sleep(100)
  }
}

export interface RelayOptions {
  upstreamPort: number
  cpus: string | undefined
  /** Run src/main.ts through tsx instead of the built JavaScript. */
  tsx?: boolean
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[]
  /** Another built entry point (an A/B copy of dist/src/main.js) instead of this checkout's. */
  entry?: string
  /** More config.yaml lines (top-level sections other than server, log_level, pool and providers). */
  configLines?: string[]
  /** More environment for the relay (DATABASE_URL, REDIS_URL...). */
  env?: Record<string, string>
}

/** The relay as production runs it, configured through a temporary config.yaml. */
export async function startRelay(opts: RelayOptions): Promise<Started & { port: number; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'freeway-bench-'))
  const port = await freePort()
  const config = [
    'server:',
    '  host: 127.0.0.1',
    `  port: ${port}`,
    'log_level: silent',
    'pool:',
    '  probe_interval_ms: 0',
    'providers:',
    '  bench-api:',
    '    type: openai-compatible',
    `    base_url: http://127.0.0.1:${opts.upstreamPort}/v1`,
    '    api_key: sk-bench-upstream-key',
    '    models: [bench-model]',
    ...(opts.configLines ?? []),
    '',
  ].join('\n')
  writeFileSync(join(dir, 'config.yaml'), config)
  const entry = opts.tsx ? ['--import', TSX, join(ROOT, 'src/main.ts')] : [opts.entry ?? MAIN_JS]
  const [cmd, args] = command(opts.cpus, [process.execPath, ...(opts.nodeArgs ?? []), ...entry])
  const child = track(
    spawn(cmd, args, {
      cwd: dir,
      stdio: ['ignore', process.env.BENCH_RELAY_STDOUT ? 'inherit' : 'ignore', 'inherit'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        // as npm start and the Dockerfile set them
        MALLOC_ARENA_MAX: '2',
        MALLOC_MMAP_THRESHOLD_: '65536',
        CONFIG_PATH: join(dir, 'config.yaml'),
        DATABASE_PATH: join(dir, 'freeway.db'),
        LOG_LEVEL: 'silent',
        ALLOW_ANONYMOUS: '1',
        PORT: String(port),
        HOST: '127.0.0.1',
        ...opts.env,
      },
    }),
  )
  const stop = stopper(child)
  try {
    await waitReady(child, port)
  } catch (err) {
    await stop()
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return {
    child,
    pid: child.pid!,
    port,
    dir,
    stop: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
