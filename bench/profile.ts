// Summarise a relay CPU profile (.cpuprofile from node --cpu-prof): where the time goes, in µs per
// request. Samples before the first chat request (start-up, module loading) are left out; the chat
// handler is recognised by its module, whichever server layer (fast lane or hono route) called it.
//   tsx bench/profile.ts <file.cpuprofile> [requests] [rows]
import { readFileSync } from 'node:fs'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const shortUrl = (url: string) => url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(dist\/)/, '$1')
const frameKey = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`

export interface ProfileSummary {
  totalMs: number
  self: [string, number][]
  inclusive: [string, number][]
}

export function summarise(path: string): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const isChat = (id: number) => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame
      // A function of a chat module, not its evaluation at start-up (which has no function name).
      if (frame.functionName && /http\/(doors\/|chat-handler)/.test(frame.url)) return true
    }
    return false
  }
  // Time per node, from the first sample that ran the chat route on.
  const time = new Map<number, number>()
  let counting = false
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!
    counting ||= isChat(id)
    if (counting) time.set(id, (time.get(id) ?? 0) + (p.timeDeltas[i] ?? 0))
  }
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let total = 0
  for (const [id, t] of time) {
    total += t
    const node = byId.get(id)!
    const k = frameKey(node.callFrame)
    self.set(k, (self.get(k) ?? 0) + t)
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = frameKey(byId.get(cur)!.callFrame)
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + t)
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1])
  return { totalMs: total / 1000, self: sorted(self), inclusive: sorted(inclusive) }
}

export function printSummary(path: string, requests: number, rows = 25): void {
  const s = summarise(path)
  const per = (us: number) => `${(us / Math.max(1, requests)).toFixed(1).padStart(8)} µs`
  const idle = s.self.find(([k]) => k.startsWith('(idle)'))?.[1] ?? 0
  console.log(`\nRelay CPU profile ${path}`)
  console.log(`${(s.totalMs - idle / 1000).toFixed(0)} ms busy over ${requests} requests (µs per request; idle left out)`)
  const show = (title: string, list: [string, number][]) => {
    console.log(`  ${title}`)
    for (const [k, us] of list.filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)')).slice(0, rows))
      console.log(`  ${per(us)}  ${k}`)
  }
  show('self time', s.self)
  show('inclusive time', s.inclusive)
}

if (process.argv[1]?.endsWith('profile.ts')) {
  const [file, requests, rows] = process.argv.slice(2)
  if (!file) {
    console.error('usage: tsx bench/profile.ts <file.cpuprofile> [requests] [rows]')
    process.exit(2)
  }
  printSummary(file, Number(requests ?? 1), Number(rows ?? 25))
}
