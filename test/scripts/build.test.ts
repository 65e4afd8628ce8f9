// scripts/build.mjs on a small project of its own (the real compiler, a two-file source tree):
// --if-stale compiles only when the build's inputs changed in content since the last successful
// build, and a failed compile never leaves dist/ marked current.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
let dir: string

const write = (path: string, text: string) => {
  mkdirSync(join(dir, path, '..'), { recursive: true })
  writeFileSync(join(dir, path), text)
}

/** Runs the script; its output and exit code. */
function build(...args: string[]) {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', ...args], { cwd: dir, encoding: 'utf8' })
  return { status: r.status, output: r.stdout + r.stderr }
}

const COMPILES = 'build: compiling with tsc -p tsconfig.build.json'
const CURRENT = 'build: dist/ is current (built from these sources), not compiling'
const mtime = (path: string) => statSync(join(dir, path)).mtimeMs

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fw-build-'))
  mkdirSync(join(dir, 'scripts'))
  cpSync(join(ROOT, 'scripts/build.mjs'), join(dir, 'scripts/build.mjs'))
  cpSync(join(ROOT, 'scripts/build-console.mjs'), join(dir, 'scripts/build-console.mjs'))
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules')) // the compiler
  write('package.json', JSON.stringify({ name: 'mini', type: 'module' }))
  // The smallest lib and no @types: each compile takes a second, not ten.
  const compilerOptions = { module: 'NodeNext', target: 'ES2022', lib: ['ES5'], types: [], skipLibCheck: true, strict: true, outDir: 'dist', rootDir: '.' }
  write('tsconfig.json', JSON.stringify({ compilerOptions }))
  write('tsconfig.build.json', JSON.stringify({ extends: './tsconfig.json', include: ['src'] }))
  write('src/main.ts', "import { greeting } from './greeting.js'\ndeclare const console: { log(line: string): void }\nconsole.log(greeting)\n")
  write('src/greeting.ts', "export const greeting: string = 'one'\n")
  write('drizzle/0000_init.sql', 'create table t (id integer);\n')
  // The smallest console: a page, a script and a style sheet for esbuild to bundle.
  write('console/index.html', '<link rel="stylesheet" href="%CSS%"><script type="module" src="%JS%"></script>')
  write('console/src/main.tsx', "import './style.css'\ndocument.title = 'mini'\n")
  write('console/src/style.css', 'body { margin: 0 }\n')
})

afterEach(() => rmSync(dir, { recursive: true, force: true }))

const runDist = () => execFileSync(process.execPath, [join(dir, 'dist/src/main.js')], { encoding: 'utf8' }).trim()

// Each test compiles a few times; on a busy machine a compile takes seconds.
describe('scripts/build.mjs', { timeout: 120_000 }, () => {
  it('compiles the first time, then not while the sources are unchanged, even when touched', () => {
    const first = build('--if-stale')
    expect(first.status).toBe(0)
    expect(first.output).toContain(`${COMPILES} (no successful build recorded)`)
    expect(runDist()).toBe('one')
    const built = mtime('dist/src/main.js')

    const touched = Date.now() / 1000 + 60
    utimesSync(join(dir, 'src/greeting.ts'), touched, touched) // as a git checkout does
    const second = build('--if-stale')
    expect(second).toEqual({ status: 0, output: `${CURRENT}\n` })
    expect(mtime('dist/src/main.js')).toBe(built)
  })

  it('compiles again when any input changes: a source, a migration, package.json, a tsconfig', () => {
    expect(build('--if-stale').status).toBe(0)
    const edits: [string, string][] = [
      ['src/greeting.ts', "export const greeting: string = 'two'\n"],
      ['drizzle/0001_more.sql', 'alter table t add column name text;\n'],
      ['package.json', JSON.stringify({ name: 'mini', type: 'module', version: '1.0.1' })],
      ['tsconfig.build.json', JSON.stringify({ extends: './tsconfig.json', include: ['src'], exclude: ['**/*.test.ts'] })],
      ['providers/extra/index.ts', 'export const extra = 1\n'],
      ['console/src/style.css', 'body { margin: 1px }\n'],
    ]
    for (const [path, text] of edits) {
      write(path, text)
      const r = build('--if-stale')
      expect(r.status, path).toBe(0)
      expect(r.output, path).toContain(`${COMPILES} (the sources changed since the last build)`)
      expect(build('--if-stale').output, path).toBe(`${CURRENT}\n`)
    }
    expect(runDist()).toBe('two')
  })

  it('a failed compile leaves dist/ unmarked, so the next start compiles again', () => {
    expect(build('--if-stale').status).toBe(0)
    write('src/greeting.ts', 'export const greeting: string = 2\n')
    const failed = build('--if-stale')
    expect(failed.status).not.toBe(0)
    expect(failed.output).toContain('build: tsc failed (exit code 2); dist/ is not marked current')
    expect(runDist()).toBe('2') // tsc wrote JavaScript despite the error
    expect(build('--if-stale').output).toContain(`${COMPILES} (no successful build recorded)`)

    write('src/greeting.ts', "export const greeting: string = 'three'\n")
    expect(build('--if-stale').status).toBe(0)
    expect(build('--if-stale').output).toBe(`${CURRENT}\n`)
    expect(runDist()).toBe('three')
  })

  it('compiles when the entry point is gone, and always without --if-stale', () => {
    expect(build('--if-stale').status).toBe(0)
    rmSync(join(dir, 'dist/src/main.js'))
    expect(build('--if-stale').output).toContain(`${COMPILES} (dist/src/main.js is missing)`)
    expect(runDist()).toBe('one')
    // The console's page names its hashed bundle; without it the build is not current either.
    const page = readFileSync(join(dir, 'dist/console/index.html'), 'utf8')
    expect(page).toMatch(/src="assets\/main-[A-Z0-9]+\.js"/)
    rmSync(join(dir, 'dist/console'), { recursive: true })
    expect(build('--if-stale').output).toContain(`${COMPILES} (dist/console is missing)`)
    expect(readFileSync(join(dir, 'dist/console/index.html'), 'utf8')).toBe(page)
    expect(build().output).toContain(`${COMPILES} (requested)`)
    expect(readFileSync(join(dir, 'dist/.sources.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/)
    expect(build('--if-stale').output).toBe(`${CURRENT}\n`)
  })

  it('refuses unknown arguments', () => {
    expect(build('--force')).toEqual({ status: 2, output: 'usage: node scripts/build.mjs [--if-stale] (unknown: --force)\n' })
  })
})
