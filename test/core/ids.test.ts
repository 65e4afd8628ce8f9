// Request ids are UUIDv7: time first, so the usage table's unique index grows at its end.
import { describe, expect, it } from 'vitest'
import { randomId, timeOrderedUuid } from '../../src/core/ids.js'

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('ids', () => {
  it('makes RFC 9562 version 7 UUIDs that carry the time and sort by it', () => {
    const at = Date.UTC(2026, 10, 21, 12, 0, 0)
    const id = timeOrderedUuid(at)
    expect(id).toMatch(V7)
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at)
    const later = [timeOrderedUuid(at + 1), timeOrderedUuid(at + 1000), timeOrderedUuid(at + 86_400_000)]
    expect([...later].reverse().sort()).toEqual(later)
    expect(later.every((x) => x > id)).toBe(true)
  })

  it('never repeats, across refills of the random pool', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 5000; i++) seen.add(timeOrderedUuid(0))
    for (let i = 0; i < 2000; i++) seen.add(randomId('x-'))
    expect(seen.size).toBe(7000)
    for (const id of seen) if (!id.startsWith('x-')) expect(id).toMatch(V7)
  })
})
