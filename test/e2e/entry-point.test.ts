// The README's starts, through the real entry points.
// - Zero configuration (src/main.ts): it creates ./data with the database, prints the address it
//   listens on, answers /health, trims the start-up garbage (the idle trim logs it at debug level)
//   and exits cleanly on SIGTERM.
// - `npm start` in a copy of the project: the first start compiles, a second with dist/ current
//   does not; the server runs as npm's own child with the process settings of the README's
//   Benchmark section, and killing npm's pid (SIGTERM or SIGINT) shuts the server down gracefully.
import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
/** Process groups the tests started (each process leads its own): killed whole after each test. */
const groups = new Set<number>()
const cleanups: (() => void)[] = []

afterEach(() => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL') // the group: npm's children too, even when npm left them behind
    } catch {
      // already gone
    }
  }
  groups.clear()
  for (const cleanup of cleanups.splice(0)) cleanup()
})

interface Run {
  proc: ChildProcess
  output(): string
  exited: Promise<number | null>
}

function run(command: string, args: string[], cwd: string, env: Record<string, string>): Run {
  const proc = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  groups.add(proc.pid!)
  let output = ''
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)))
  return { proc, output: () => output, exited }
}

/** Resolves with the first match of `pattern` in everything the process printed so far. */
function waitFor(r: Run, pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
  return new Promise((done, fail) => {
    const since = Date.now()
    const poll = setInterval(() => {
      const m = pattern.exec(r.output())
      if (m) {
        clearInterval(poll)
        done(m)
      } else if (Date.now() - since > ms || r.proc.exitCode != null) {
        clearInterval(poll)
        fail(new Error(`no ${pattern} in:\n${r.output()}`))
      }
    }, 25)
  })
}

describe('entry point', () => {
  it('starts with zero configuration, serves, trims its start-up garbage and stops on SIGTERM', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fw-start-'))
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }))
    // tsx by absolute URL: the server runs in a fresh directory, outside this package.
    const server = run(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/main.ts')], cwd, {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      CONFIG_PATH: join(ROOT, 'config.yaml'),
    })

    const [, port] = await waitFor(server, /listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/)
    const health = await fetch(`http://127.0.0.1:${port}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok' })
    expect(existsSync(join(cwd, 'data', 'freeway.db'))).toBe(true)

    const [, before, after] = await waitFor(server, /idle trim: RSS ([\d.]+) -> ([\d.]+) MB/)
    expect(Number(after)).toBeGreaterThan(0)
    expect(Number(after)).toBeLessThanOrEqual(Number(before) + 1)

    server.proc.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    expect(server.output()).toContain('SIGTERM: shutting down')
  }, 30_000)

  // One real compile of the whole project: minutes on a busy machine.
  it('npm start compiles once, not again while dist/ is current, and stops when npm is killed', async () => {
    const project = copyProject()
    cleanups.push(() => rmSync(project, { recursive: true, force: true }))
    const env = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_OPTIONS: '--max-old-space-size=1024' }

    const first = run('npm', ['start'], project, env)
    await waitFor(first, /build: compiling with tsc -p tsconfig\.build\.json \(no successful build recorded\)/)
    const firstServer = await servingChild(first, 400_000)
    await stopsWhenNpmIsKilled(first, firstServer, 'SIGTERM')
    const built = mtimes(join(project, 'dist'))
    expect(Object.keys(built)).toContain('src/main.js')

    const second = run('npm', ['start'], project, env)
    const secondServer = await servingChild(second)
    expect(second.output()).toContain('build: dist/ is current (built from these sources), not compiling')
    expect(second.output()).not.toContain('build: compiling')
    expect(mtimes(join(project, 'dist'))).toEqual(built)
    await stopsWhenNpmIsKilled(second, secondServer, 'SIGINT')
  }, 600_000)
})

/** What `npm start` needs of this checkout, in a temporary directory (the dependencies linked). */
function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-npm-start-'))
  for (const name of ['src', 'providers', 'drizzle', 'scripts', 'console', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'config.yaml'])
    cpSync(join(ROOT, name), join(dir, name), { recursive: true })
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

/** Modification times of every file under `dir`, by relative path. */
function mtimes(dir: string): Record<string, number> {
  const times: Record<string, number> = {}
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) times[relative(dir, join(entry.parentPath, entry.name))] = statSync(join(entry.parentPath, entry.name)).mtimeMs
  return times
}

/** Direct children of `pid`, from /proc (the fourth field of /proc/PID/stat is the parent). */
function childrenOf(pid: number): number[] {
  const children: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(name))
    } catch {
      // exited while we looked
    }
  }
  return children
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

interface Server {
  pid: number
  port: string
}

/** Waits for the server `npm start` runs; checks it is npm's direct child with the README's settings. */
async function servingChild(npm: Run, ms = 60_000): Promise<Server> {
  const port = (await waitFor(npm, /listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/, ms))[1]!
  const health = await fetch(`http://127.0.0.1:${port}/health`)
  expect(health.status).toBe(200)

  // npm's only child is node itself (the script execs it): npm's signals reach the server.
  const children = childrenOf(npm.proc.pid!)
  expect(children).toHaveLength(1)
  const pid = children[0]!
  expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(['node', 'dist/src/main.js', ''])
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
  expect(environ).toEqual(
    expect.arrayContaining([
      'MALLOC_ARENA_MAX=2',
      'MALLOC_MMAP_THRESHOLD_=65536',
      'NODE_OPTIONS=--max-semi-space-size=8 --max-old-space-size=1536 --max-old-space-size=1024',
    ]),
  )
  return { pid, port }
}

async function stopsWhenNpmIsKilled(npm: Run, server: Server, signal: 'SIGTERM' | 'SIGINT') {
  process.kill(npm.proc.pid!, signal)
  await npm.exited
  expect(npm.output()).toContain(`${signal}: shutting down`) // the server's own graceful shutdown ran
  expect(isRunning(server.pid)).toBe(false)
  await expect(fetch(`http://127.0.0.1:${server.port}/health`)).rejects.toThrow()
}
