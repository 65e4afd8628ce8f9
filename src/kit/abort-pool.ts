// AbortControllers used again once a request is over. On Node 20 a fresh AbortSignal costs about
// 5 µs and is always promoted to V8's old space (its property dictionary is allocated there, so
// the maps it holds, and whatever listener was registered at a young collection, outlive the
// request until the next full collection); a request took two of them. A controller whose signal
// never aborted and has no listener left is as good as new: nothing can tell it from a fresh one,
// except code that kept the signal after its request ended, which is why a controller with any
// listener left is not taken back. Measured: 1.3 µs instead of 6 µs per controller, 20 instead of
// 360 bytes promoted (README, Benchmark, "2026-12-05").
import { getEventListeners } from 'node:events'

/** Enough for the requests in flight at once; more idle controllers would only hold memory. */
const KEEP = 256
const idle: AbortController[] = []

/** A controller whose signal is not aborted and has no listeners: a new one, or one given back. */
export function takeController(): AbortController {
  for (let c = idle.pop(); c; c = idle.pop()) if (!c.signal.aborted) return c // aborted after it came back
  return new AbortController()
}

/**
 * Give back a controller whose request is over. Kept only when its signal never aborted and no
 * listener is left on it (an aborted signal stays aborted; a listener means someone still
 * watches it, and a later request's abort must not reach them).
 */
export function giveBackController(controller: AbortController): void {
  const { signal } = controller
  if (signal.aborted || idle.length >= KEEP || getEventListeners(signal, 'abort').length) return
  idle.push(controller)
}

/** Controllers waiting to be taken again (tests). */
export const idleControllers = (): number => idle.length
