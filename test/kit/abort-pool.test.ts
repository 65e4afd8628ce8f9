import { describe, expect, it } from 'vitest'
import { giveBackController, idleControllers, takeController } from '../../src/kit/abort-pool.js'

/** Empty the pool, so each test starts from fresh controllers. */
function drain(): void {
  const taken: AbortController[] = []
  while (idleControllers()) taken.push(takeController())
}

describe('abort controller pool', () => {
  it('gives out a controller again once its request is over, unaborted and without listeners', () => {
    drain()
    const first = takeController()
    const onAbort = () => undefined
    first.signal.addEventListener('abort', onAbort)
    first.signal.removeEventListener('abort', onAbort)
    giveBackController(first)
    expect(idleControllers()).toBe(1)
    const again = takeController()
    expect(again).toBe(first)
    expect(again.signal.aborted).toBe(false)
    // and it still works as a controller
    let heard = 0
    again.signal.addEventListener('abort', () => heard++)
    again.abort(new Error('client gone'))
    expect(heard).toBe(1)
    expect(again.signal.reason).toEqual(new Error('client gone'))
  })

  it('never takes back an aborted controller', () => {
    drain()
    const c = takeController()
    c.abort()
    giveBackController(c)
    expect(idleControllers()).toBe(0)
    expect(takeController()).not.toBe(c)
  })

  it('never takes back a controller someone still listens to (a later abort must not reach them)', () => {
    drain()
    const c = takeController()
    let heard = 0
    c.signal.addEventListener('abort', () => heard++)
    giveBackController(c)
    expect(idleControllers()).toBe(0)
    const next = takeController()
    expect(next).not.toBe(c)
    next.abort()
    expect(heard).toBe(0)
  })

  it('skips a controller that was aborted after it came back', () => {
    drain()
    const c = takeController()
    giveBackController(c)
    c.abort() // a holder that kept it aborted it afterwards
    const next = takeController()
    expect(next).not.toBe(c)
    expect(next.signal.aborted).toBe(false)
  })

  it('keeps a bounded number of idle controllers', () => {
    drain()
    const many = Array.from({ length: 400 }, () => takeController())
    for (const c of many) giveBackController(c)
    expect(idleControllers()).toBe(256)
  })
})
