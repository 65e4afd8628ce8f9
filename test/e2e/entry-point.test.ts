// The README's zero-configuration start, through the real entry point: it creates ./data with the
// database, prints the address it listens on, answers /health, trims the start-up garbage (the
// idle trim logs it at debug level) and exits cleanly on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
let child: ChildProcess | undefined

afterEach(() => {
  child?.kill('SIGKILL')
  child = undefined
})

/** Resolves with the first match of `pattern` in everything the process printed so far. */
function waitFor(output: () => string, pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
  return new Promise((done, fail) => {
    const started = Date.now()
    const poll = setInterval(() => {
      const m = pattern.exec(output())
      if (m) {
        clearInterval(poll)
        done(m)
      } else if (Date.now() - started > ms || child?.exitCode != null) {
        clearInterval(poll)
        fail(new Error(`no ${pattern} in:\n${output()}`))
      }
    }, 25)
  })
}

describe('entry point', () => {
  it('starts with zero configuration, serves, trims its start-up garbage and stops on SIGTERM', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fw-start-'))
    // tsx by absolute URL: the server runs in a fresh directory, outside this package.
    const proc = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/main.ts')], {
      cwd,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug', CONFIG_PATH: join(ROOT, 'config.yaml') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    let output = ''
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()))

    const [, port] = await waitFor(() => output, /listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/)
    const health = await fetch(`http://127.0.0.1:${port}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok' })
    expect(existsSync(join(cwd, 'data', 'freeway.db'))).toBe(true)

    const [, before, after] = await waitFor(() => output, /idle trim: RSS ([\d.]+) -> ([\d.]+) MB/)
    expect(Number(after)).toBeGreaterThan(0)
    expect(Number(after)).toBeLessThanOrEqual(Number(before) + 1)

    const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)))
    proc.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output).toContain('SIGTERM: shutting down')
  }, 30_000)
})
