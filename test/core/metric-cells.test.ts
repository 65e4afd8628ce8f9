// CellMetric must print exactly what prom-client's own Counter and Histogram print for the same
// observations: it replaces them on the request path only for speed.
import { Counter, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { CellMetric } from '../../src/core/metric-cells.js'

const BOUNDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5]

describe('CellMetric', () => {
  it('prints a histogram exactly as prom-client does, bucket edges included', async () => {
    const theirs = new Registry()
    const ours = new Registry()
    const reference = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['route', 'model'], buckets: BOUNDS, registers: [theirs] })
    const cells = CellMetric.histogram('h_seconds', 'h', ['route', 'model'], BOUNDS)
    ours.registerMetric(cells.asMetric())
    // On an edge (0.1, 5), between edges, below the first and above the last.
    const seen: [string, string, number][] = [
      ['chat', 'a', 0.1], ['chat', 'a', 0.07], ['chat', 'b', 0.01], ['session', 'a', 5], ['chat', 'a', 9.5], ['chat', 'a', 0.3],
    ]
    for (const [route, model, v] of seen) {
      reference.observe({ route, model }, v)
      cells.observe([route, model], v)
    }
    expect(await ours.metrics()).toBe(await theirs.metrics())
  })

  it('prints counters exactly as prom-client does, with and without labels', async () => {
    const theirs = new Registry()
    const ours = new Registry()
    const reference = new Counter({ name: 'c_total', help: 'c', labelNames: ['model', 'direction'], registers: [theirs] })
    const plainRef = new Counter({ name: 'p_total', help: 'p', registers: [theirs] })
    const cells = CellMetric.counter('c_total', 'c', ['model', 'direction'])
    const plain = CellMetric.counter('p_total', 'p', [])
    ours.registerMetric(cells.asMetric())
    ours.registerMetric(plain.asMetric())
    for (const [model, direction, n] of [['m', 'in', 12], ['m', 'out', 30], ['m', 'in', 8], ['x"y', 'in', 1]] as const) {
      reference.inc({ model, direction }, n)
      cells.inc([model, direction], n)
    }
    plainRef.inc()
    plain.inc([])
    expect(await ours.metrics()).toBe(await theirs.metrics())
    expect(await ours.metrics()).toContain('c_total{model="m",direction="in"} 20')
  })

  it('keeps label sets apart even when their values would join alike', async () => {
    const cells = CellMetric.counter('j_total', 'j', ['a', 'b'])
    cells.inc(['x', 'yz'])
    cells.inc(['xy', 'z'])
    const { values } = await cells.get()
    expect(values.map((v) => v.value)).toEqual([1, 1])
  })
})
