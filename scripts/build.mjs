// `npm run build` compiles src/ and providers/ into dist/ with tsc; `npm start` runs it first with
// --if-stale, which skips the compile when dist/ was built from the sources as they are now.
//
// "As they are now" is judged by content: a successful build records a SHA-256 of its inputs
// (src/, providers/, drizzle/, console/, package.json, tsconfig*.json and the compiler's version) in
// dist/.sources.sha256. Not by mtimes: a git checkout touches files it does not change, and tsc
// writes JavaScript even when it reports errors, which a later start must not take for current.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const INPUT_DIRS = ['src', 'providers', 'drizzle', 'console']
const isInputFile = (name) => name === 'package.json' || /^tsconfig.*\.json$/.test(name)
const STAMP = join(ROOT, 'dist', '.sources.sha256')
const ENTRY = join(ROOT, 'dist', 'src', 'main.js')
const CONSOLE_PAGE = join(ROOT, 'dist', 'console', 'index.html')

const require = createRequire(join(ROOT, 'package.json'))
const TSC = require.resolve('typescript/bin/tsc')
const TSC_VERSION = JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')).version

function inputFiles() {
  const files = []
  const walk = (dir) => {
    if (!existsSync(dir)) return
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) files.push(relative(ROOT, path))
    }
  }
  for (const dir of INPUT_DIRS) walk(join(ROOT, dir))
  for (const name of readdirSync(ROOT)) if (isInputFile(name)) files.push(name)
  // One order on every machine, so equal trees give equal digests.
  return files.map((file) => file.split('\\').join('/')).sort()
}

function sourcesDigest() {
  const hash = createHash('sha256').update(`typescript ${TSC_VERSION}\0`)
  for (const file of inputFiles()) {
    const body = readFileSync(join(ROOT, file))
    hash.update(`${file}\0${body.length}\0`).update(body)
  }
  return hash.digest('hex')
}

const args = process.argv.slice(2)
const ifStale = args.includes('--if-stale')
if (args.some((arg) => arg !== '--if-stale')) {
  console.error(`usage: node scripts/build.mjs [--if-stale] (unknown: ${args.join(' ')})`)
  process.exit(2)
}

const digest = sourcesDigest()
const recorded = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : undefined
if (ifStale && recorded === digest && existsSync(ENTRY) && existsSync(CONSOLE_PAGE)) {
  console.log('build: dist/ is current (built from these sources), not compiling')
  process.exit(0)
}

const reason = !ifStale ? 'requested' : recorded === undefined ? 'no successful build recorded' : recorded === digest ? (existsSync(ENTRY) ? 'dist/console is missing' : 'dist/src/main.js is missing') : 'the sources changed since the last build'
console.log(`build: compiling with tsc -p tsconfig.build.json (${reason})`)
// Forget the old record first: a failed or interrupted compile leaves dist/ half rewritten.
rmSync(STAMP, { force: true })
const tsc = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' })
if (tsc.status !== 0) {
  console.error(`build: tsc failed (${tsc.error?.message ?? tsc.signal ?? `exit code ${tsc.status}`}); dist/ is not marked current`)
  process.exit(tsc.status || 1)
}
// The admin console is a browser bundle (Preact via esbuild), not part of the tsc program.
const { buildConsole } = await import('./build-console.mjs')
await buildConsole(ROOT)
console.log('build: console bundled into dist/console')
writeFileSync(STAMP, `${digest}\n`)
