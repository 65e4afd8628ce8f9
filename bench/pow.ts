// DeepSeek PoW benchmark: hashes per second and the worst case (a full scan at the real
// difficulty, answer = difficulty - 1), on the calling thread and through the worker pool.
import { deepseekHashV1, powPrefix, solvePow } from '../providers/deepseek-web/hash.js'
import { PowPool } from '../providers/deepseek-web/pow-pool.js'

const DIFFICULTY = 144_000
const RUNS = 5
const prefix = powPrefix('3bde54628ea8413fee87', 1775380966945)
const worstCase = { challenge: deepseekHashV1(prefix + (DIFFICULTY - 1)), prefix, difficulty: DIFFICULTY }

function summarize(label: string, millis: number[]): void {
  const sorted = [...millis].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  const rate = Math.round(DIFFICULTY / (median / 1000))
  console.log(
    `${label.padEnd(12)} full scan ${DIFFICULTY}: median ${median.toFixed(1)} ms, worst ${sorted.at(-1)!.toFixed(1)} ms, ` +
      `${(rate / 1e6).toFixed(2)} M hashes/s`,
  )
}

async function timed(run: () => Promise<number | null> | number | null): Promise<number> {
  const start = performance.now()
  const answer = await run()
  if (answer !== DIFFICULTY - 1) throw new Error(`wrong answer ${answer}`)
  return performance.now() - start
}

// For scale: the plain-JavaScript hash (32-bit lane pairs) that the solver's WebAssembly replaces.
const referenceCount = 20_000
const referenceStart = performance.now()
for (let n = 0; n < referenceCount; n++) deepseekHashV1(prefix + n)
const referenceRate = referenceCount / ((performance.now() - referenceStart) / 1000)
console.log(`reference JS DeepSeekHashV1: ${(referenceRate / 1e6).toFixed(2)} M hashes/s (one call per hash)`)

const coldStart = performance.now()
solvePow(worstCase.challenge, prefix, DIFFICULTY)
console.log(`in-process   first (cold) scan: ${(performance.now() - coldStart).toFixed(1)} ms`)
const inProcess: number[] = []
for (let i = 0; i < RUNS; i++) inProcess.push(await timed(() => solvePow(worstCase.challenge, prefix, DIFFICULTY)))
summarize('in-process', inProcess)

const pool = new PowPool(1)
const firstStart = performance.now()
await pool.solve(worstCase)
console.log(`worker pool  first scan (thread start + warm-up): ${(performance.now() - firstStart).toFixed(1)} ms`)
const pooled: number[] = []
for (let i = 0; i < RUNS; i++) pooled.push(await timed(() => pool.solve(worstCase)))
summarize('worker pool', pooled)

// The point of the pool: the event loop keeps turning while a scan runs.
let ticks = 0
const ticker = setInterval(() => ticks++, 5)
const blockedStart = performance.now()
await pool.solve(worstCase)
clearInterval(ticker)
const expectedTicks = Math.floor((performance.now() - blockedStart) / 5)
console.log(`event loop during a pooled scan: ${ticks} of ~${expectedTicks} 5 ms timer ticks ran`)
await pool.close()
