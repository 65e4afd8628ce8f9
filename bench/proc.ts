// Linux /proc readers for the bench: a process's CPU time and resident memory, plus core pinning.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

let ticksPerSecond: number | undefined

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** utime + stime of a process, in milliseconds (resolution: one clock tick, usually 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which sits in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return ((utime + stime) * 1000) / clockTicks()
}

/** CPU time all processes on the machine spent busy, in ms (first line of /proc/stat). */
export function systemBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
  // cpu user nice system idle iowait irq softirq steal ...
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number)
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / clockTicks()
}

/** CPU ms of this process (all threads). */
export function selfCpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

function statusField(pid: number, name: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)
  return m ? Number(m[1]) / 1024 : Number.NaN
}

/** Resident set size in MB. */
export const rssMb = (pid: number) => statusField(pid, 'VmRSS')

export function hasProc(): boolean {
  try {
    readFileSync('/proc/self/stat')
    return true
  } catch {
    return false
  }
}

export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Pin every thread of a running process to the given CPU list ("0", "1", "0-1"). */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-pc', cpus, String(pid)], { stdio: 'ignore' })
}

/** Samples a value every few milliseconds and keeps the highest. */
export class PeakSampler {
  peak = 0
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly read: () => number,
    private readonly everyMs = 50,
  ) {}

  start(): this {
    this.peak = this.read()
    this.timer = setInterval(() => {
      const v = this.read()
      if (v > this.peak) this.peak = v
    }, this.everyMs)
    return this
  }

  stop(): number {
    clearInterval(this.timer)
    const v = this.read()
    if (v > this.peak) this.peak = v
    return this.peak
  }
}
