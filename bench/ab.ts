// CPU per request of this checkout against another build, measured in turns: both relays run at
// once on the same CPU, and 50 connections load one, then the other, one second each, for many
// rounds. A shared host's speed drifts by tens of percent over minutes; within a pair of one-second
// slices it barely moves, so the median of the per-round ratios shows differences of a few percent
// that separate runs, minutes apart, cannot. One second per slice keeps each relay's quiet spell
// under the two idle ticks after which it would trim its memory (src/core/idle-trim.ts), which
// would make its next slice pay for re-optimising.
import { chatBody, concurrent, sequential } from './load.js'
import { cpuMs } from './proc.js'
import { type Started, startRelay } from './processes.js'

export interface AbOptions {
  upstreamPort: number
  /** The relays' CPU (the load generator and the fake upstream run on another). */
  cpus: string | undefined
  nodeArgs: string[]
  /** This checkout's build (undefined) and the other build's dist/src/main.js. */
  entries: [string | undefined, string]
  rounds: number
  log: (line: string) => void
}

interface Side {
  relay: Started & { port: number }
  url: string
  cpuMs: Record<Kind, number>
  requests: Record<Kind, number>
}
type Kind = 'nonstream' | 'stream'
const KINDS: Kind[] = ['nonstream', 'stream']
const SLICE_SECONDS = 1
const CONNECTIONS = 50

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Runs the rounds and prints each side's CPU per request and the median ratio other/this. */
export async function compareBuilds(o: AbOptions): Promise<void> {
  const sides: Side[] = []
  try {
    for (const entry of o.entries) {
      const relay = await startRelay({ upstreamPort: o.upstreamPort, cpus: o.cpus, nodeArgs: o.nodeArgs, ...(entry ? { entry } : {}) })
      const url = `http://127.0.0.1:${relay.port}/v1/chat/completions`
      sides.push({ relay, url, cpuMs: { nonstream: 0, stream: 0 }, requests: { nonstream: 0, stream: 0 } })
      for (const stream of [false, true]) {
        await sequential(url, chatBody(stream), 1)
        await concurrent(url, chatBody(stream), CONNECTIONS, 2)
      }
    }
    o.log(`relays: this checkout pid ${sides[0]!.relay.pid}, ${o.entries[1]} pid ${sides[1]!.relay.pid}; ${o.rounds} rounds of ${SLICE_SECONDS} s each`)
    // A slice's CPU is counted up to the start of that relay's next slice: what it does once its
    // load stopped (a collection it finishes, rows it writes) belongs to the requests it served.
    const ratios: Record<Kind, number[]> = { nonstream: [], stream: [] }
    const open = sides.map(() => ({ kind: 'nonstream' as Kind, requests: 0, since: 0 }))
    const perRequest: Record<Kind, number[]> = { nonstream: [], stream: [] }
    const close = (i: number) => {
      const side = sides[i]!
      const slice = open[i]!
      if (!slice.requests) return
      const used = cpuMs(side.relay.pid) - slice.since
      side.cpuMs[slice.kind] += used
      side.requests[slice.kind] += slice.requests
      perRequest[slice.kind][i] = used / slice.requests
      if (i === sides.length - 1) ratios[slice.kind].push(perRequest[slice.kind][1]! / perRequest[slice.kind][0]!)
    }
    for (let round = 0; round < o.rounds; round++) {
      for (const kind of KINDS) {
        for (const [i, side] of sides.entries()) {
          close(i)
          const since = cpuMs(side.relay.pid)
          const result = await concurrent(side.url, chatBody(kind === 'stream'), CONNECTIONS, SLICE_SECONDS)
          if (result.errors) throw new Error(`${result.errors} relayed requests failed in an A/B slice`)
          open[i] = { kind, requests: result.requests, since }
        }
      }
    }
    await new Promise((settled) => setTimeout(settled, SLICE_SECONDS * 1000))
    for (const i of sides.keys()) close(i)
    console.log(`\nA/B, CPU ms per relayed request at ${CONNECTIONS} connections (${o.rounds} rounds of ${SLICE_SECONDS} s slices)`)
    console.log(`  ${''.padEnd(12)}${'this'.padStart(10)}${'other'.padStart(10)}${'other/this'.padStart(14)}  (median of the rounds' ratios)`)
    for (const kind of KINDS) {
      const [mine, other] = sides.map((s) => s.cpuMs[kind] / s.requests[kind])
      console.log(`  ${kind.padEnd(12)}${mine!.toFixed(3).padStart(10)}${other!.toFixed(3).padStart(10)}${median(ratios[kind]).toFixed(3).padStart(14)}`)
    }
    console.log(`  other = ${o.entries[1]}`)
  } finally {
    for (const side of sides) await side.relay.stop()
  }
}
