// Worker thread entry: solves PoW challenges posted by pow-pool.ts, off the main event loop.
import { parentPort } from 'node:worker_threads'
import { solvePow } from './hash.js'

export interface PowJob {
  id: number
  challenge: string
  prefix: string
  difficulty: number
}

export type PowReply = { id: number; answer: number | null } | { id: number; error: string }

const WARM_UP_NONCES = 30_000
const UNREACHABLE_CHALLENGE = '0'.repeat(64)

// WebAssembly starts in the baseline tier; a short scan now lets the optimising tier finish
// before the first real challenge arrives.
solvePow(UNREACHABLE_CHALLENGE, 'warm-up_0_', WARM_UP_NONCES)

parentPort?.on('message', (job: PowJob) => {
  let reply: PowReply
  try {
    reply = { id: job.id, answer: solvePow(job.challenge, job.prefix, job.difficulty) }
  } catch (err) {
    reply = { id: job.id, error: (err as Error).message }
  }
  parentPort?.postMessage(reply)
})
