// The relay trims memory once per quiet spell, only after it grew since the last trim, never while
// requests keep coming or one is still running; the real memory-reducing collection shrinks V8's
// young generation.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { idleTrim, memoryReducingGc, startIdleTrim } from '../../src/core/idle-trim.js'

const MB = 1024 * 1024
const policy = { quietTicks: 2, growthBytes: 8 * MB }

/** A process whose RSS the test sets, and a collection that brings it back to `floor`. */
function fakeProcess(start: number) {
  const p = { rss: start, floor: start, collections: 0 }
  const collect = async () => {
    p.collections++
    p.rss = p.floor
  }
  return { p, trim: idleTrim(collect, () => p.rss, policy) }
}

describe('idle trim', () => {
  it('trims on the second quiet interval after traffic, once per quiet spell', async () => {
    const { p, trim } = fakeProcess(70 * MB)
    trim.touch()()
    p.rss = 100 * MB
    expect(await trim.tick()).toBe(false) // requests in this interval: busy
    expect(await trim.tick()).toBe(false) // first quiet interval
    expect(await trim.tick()).toBe(true)
    expect(p.collections).toBe(1)
    p.rss = 90 * MB // grew again without traffic (a timer's work): not a new quiet spell
    for (let i = 0; i < 5; i++) expect(await trim.tick()).toBe(false)
    trim.touch()()
    await trim.tick()
    await trim.tick()
    expect(await trim.tick()).toBe(true)
    expect(p.collections).toBe(2)
  })

  it('leaves the process alone while requests keep coming, and when it has not grown', async () => {
    const { p, trim } = fakeProcess(70 * MB)
    p.rss = 120 * MB
    for (let i = 0; i < 10; i++) {
      trim.touch()()
      expect(await trim.tick()).toBe(false)
    }
    expect(p.collections).toBe(0)
    await trim.trimNow()
    expect(p.collections).toBe(1)
    p.rss = 70 * MB + 4 * MB // below the growth threshold
    trim.touch()()
    await trim.tick()
    await trim.tick()
    expect(await trim.tick()).toBe(false)
    expect(p.collections).toBe(1)
  })

  it('waits while a request is still running (a long stream), however quiet the intervals', async () => {
    const { p, trim } = fakeProcess(70 * MB)
    const streamOver = trim.touch()
    p.rss = 100 * MB
    for (let i = 0; i < 6; i++) expect(await trim.tick()).toBe(false)
    streamOver()
    streamOver() // a second 'close' changes nothing
    await trim.tick()
    expect(await trim.tick()).toBe(true)
    expect(p.collections).toBe(1)
  })

  it('runs on a timer, and is a no-op without a collector', async () => {
    let collections = 0
    const trimmed: number[][] = []
    const trim = startIdleTrim(
      async () => {
        collections++
      },
      (before, after) => trimmed.push([before, after]),
      10,
      { quietTicks: 2, growthBytes: 0 },
    )
    trim.touch()()
    await sleep(150)
    trim.stop()
    expect(collections).toBe(1)
    expect(trimmed).toHaveLength(1)
    expect(trimmed[0]![0]).toBeGreaterThan(0)
    const none = startIdleTrim(undefined)
    expect(() => none.touch()).not.toThrow()
    expect(await none.tick()).toBe(false)
    none.stop()
  })

  it('shrinks the young generation, which a plain collection leaves at full size', async () => {
    const collect = memoryReducingGc()
    expect(collect).toBeDefined()
    const youngCommitted = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.physical_space_size
    let keep: object[] = []
    for (let i = 0; i < 2_000_000; i++) {
      keep.push({ i, s: `x${i}` }) // survivors make V8 grow the young generation
      if (keep.length > 100_000) keep = []
    }
    keep = []
    const grown = youngCommitted()
    setFlagsFromString('--expose-gc')
    const plainGc = runInNewContext('gc') as () => void
    plainGc()
    expect(youngCommitted()).toBeGreaterThan(grown / 2)
    await collect!()
    expect(youngCommitted()).toBeLessThan(grown / 2)
  })
})
