// After a busy spell the relay collects garbage on the first quiet intervals, a fixed number of
// times, and not again until traffic resumes; without --expose-gc it does nothing.
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { idleTrim, startIdleTrim } from '../../src/core/idle-trim.js'

describe('idle trim', () => {
  it('collects on the first quiet intervals after traffic, twice, and never while busy', () => {
    let collections = 0
    const trim = idleTrim(() => collections++, 2)
    trim.tick()
    trim.tick()
    expect(collections).toBe(0) // never busy: nothing to give back
    for (let i = 0; i < 5; i++) {
      trim.touch()
      trim.tick()
    }
    expect(collections).toBe(0) // requests in every interval: busy
    trim.tick()
    trim.tick()
    trim.tick()
    trim.tick()
    expect(collections).toBe(2)
    trim.touch()
    trim.tick()
    trim.tick()
    expect(collections).toBe(3)
    trim.touch() // traffic resumes before the second pass: it is owed again in full
    trim.tick()
    trim.tick()
    trim.tick()
    trim.tick()
    expect(collections).toBe(5)
  })

  it('runs on a timer, and is a no-op without a gc function', async () => {
    let collections = 0
    const trim = startIdleTrim(() => collections++, 10, 2)
    trim.touch()
    await sleep(150)
    trim.stop()
    expect(collections).toBe(2)
    const none = startIdleTrim(undefined, 1)
    expect(() => none.touch()).not.toThrow()
    none.stop()
  })
})
