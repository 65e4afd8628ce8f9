// A small worker_threads pool for the PoW search, so a 0.1–0.2 s scan never stalls other
// requests. Works from the TypeScript sources (vitest, tsx) and from the compiled dist build.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { solvePow } from './hash.js'
import type { PowJob, PowReply } from './pow-worker.js'

export interface PowTask {
  challenge: string
  prefix: string
  difficulty: number
}

interface Pending {
  job: PowJob
  resolve: (answer: number | null) => void
  reject: (err: Error) => void
}

interface Slot {
  worker: Worker
  current: Pending | undefined
}

/**
 * From .ts sources (vitest, tsx) the worker must load tsx before importing its own .ts entry.
 * Node 20 ignores `--import` in a worker's execArgv, so a small eval'd bootstrap registers tsx.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./pow-worker.js', import.meta.url))
  const entry = new URL('./pow-worker.ts', import.meta.url).href
  const bootstrap = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(bootstrap, { eval: true })
}

/** tsx's ESM API, located through its package.json exports rather than a guessed file layout. */
function tsxApiUrl(): string {
  const require = createRequire(import.meta.url)
  const manifestPath = require.resolve('tsx/package.json')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, { import?: { default?: string } }>
  }
  const relative = manifest.exports['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs'
  return new URL(relative, pathToFileURL(manifestPath)).href
}

export class PowPool {
  private readonly slots: Slot[] = []
  private readonly queue: Pending[] = []
  private nextId = 1

  /** size 0 solves on the calling thread (blocking it): only for hosts without worker threads. */
  constructor(readonly size: number) {}

  solve(task: PowTask, signal?: AbortSignal): Promise<number | null> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.size <= 0) return Promise.resolve(solvePow(task.challenge, task.prefix, task.difficulty))
    return new Promise<number | null>((resolve, reject) => {
      // The worker finishes a started scan anyway (it is short); the caller just stops waiting.
      const onAbort = () => reject(signal?.reason)
      const settle = () => signal?.removeEventListener('abort', onAbort)
      const pending: Pending = {
        job: { id: this.nextId++, ...task },
        resolve: (answer) => {
          settle()
          resolve(answer)
        },
        reject: (err) => {
          settle()
          reject(err)
        },
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.queue.push(pending)
      this.dispatch()
    })
  }

  /** Stop every worker (tests, shutdown). Queued and running jobs are rejected. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0)
    for (const p of this.queue.splice(0)) p.reject(new Error('PoW pool closed'))
    for (const slot of slots) slot.current?.reject(new Error('PoW pool closed'))
    await Promise.all(slots.map((s) => s.worker.terminate()))
  }

  private dispatch(): void {
    while (this.queue.length) {
      const slot = this.slots.find((s) => !s.current) ?? (this.slots.length < this.size ? this.spawn() : undefined)
      if (!slot) return
      const pending = this.queue.shift()!
      slot.current = pending
      slot.worker.ref()
      slot.worker.postMessage(pending.job)
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker(), current: undefined }
    slot.worker.on('message', (reply: PowReply) => {
      const done = slot.current
      slot.current = undefined
      // An idle worker must not keep the process alive.
      slot.worker.unref()
      if (done && done.job.id === reply.id) {
        if ('error' in reply) done.reject(new Error(reply.error))
        else done.resolve(reply.answer)
      }
      this.dispatch()
    })
    const retire = (err: Error) => {
      const index = this.slots.indexOf(slot)
      if (index >= 0) this.slots.splice(index, 1)
      slot.current?.reject(err)
      slot.current = undefined
      this.dispatch()
    }
    slot.worker.on('error', retire)
    slot.worker.on('exit', (code) => retire(new Error(`PoW worker exited with code ${code}`)))
    this.slots.push(slot)
    return slot
  }
}

const sharedPools = new Map<number, PowPool>()

/** One pool per size for the whole process: adapters are cheap, threads are not. */
export function sharedPowPool(size: number): PowPool {
  let pool = sharedPools.get(size)
  if (!pool) {
    pool = new PowPool(size)
    sharedPools.set(size, pool)
  }
  return pool
}
