// Bundles the admin console (console/src, Preact) into dist/console: hashed assets under
// dist/console/assets (served with a year of caching) and an index.html that names them.
// Everything the page needs is in the bundle: no CDN, so the console works offline.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { build } from 'esbuild'

const ROOT = resolve(import.meta.dirname, '..')

/** Builds the console into `<root>/dist/console` and returns that directory. */
export async function buildConsole(root = ROOT) {
  const out = join(root, 'dist', 'console')
  rmSync(out, { recursive: true, force: true })
  const result = await build({
    entryPoints: [join(root, 'console', 'src', 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: join(out, 'assets'),
    entryNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  })
  const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file))
  const js = outputs.find((f) => f.endsWith('.js'))
  const css = outputs.find((f) => f.endsWith('.css'))
  if (!js || !css) throw new Error(`console build: expected a .js and a .css output, got ${outputs.join(', ')}`)
  const html = readFileSync(join(root, 'console', 'index.html'), 'utf8').replace('%JS%', `assets/${js}`).replace('%CSS%', `assets/${css}`)
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'index.html'), html)
  return out
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const out = await buildConsole()
  console.log(`build: console bundled into ${out}`)
}
