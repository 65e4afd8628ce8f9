// Bounds on what a client may nest or pass through. A body nested thousands deep overflows the
// stack when it is serialised for the upstream; such input is the client's fault (400), and it
// must never reach an adapter, where the failure would look like the upstream's.
import { ApiError } from './errors.js'

/** Deeper than any real request: JSON schemas of tools nest a few dozen levels at most. */
export const MAX_DEPTH = 64
/** All parameters Freeway does not model, together, as JSON. */
export const MAX_PASSTHROUGH_BYTES = 1024 * 1024

/**
 * The path of the first value nested deeper than `max`, or undefined. The walk recurses at most
 * `max` levels (no stack to overflow) and allocates nothing: it runs on every request body, and
 * the path is only spelled out for the refusal.
 */
export function tooDeep(value: unknown, max = MAX_DEPTH): string | undefined {
  const path = deepPath(value, 0, max)
  return path === undefined ? undefined : path.join('.') || 'body'
}

function deepPath(v: unknown, depth: number, max: number): string[] | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  if (depth >= max) return []
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const below = deepPath(v[i], depth + 1, max)
      if (below) return [String(i), ...below]
    }
    return undefined
  }
  for (const k in v) {
    const below = deepPath((v as Record<string, unknown>)[k], depth + 1, max)
    if (below) return [k, ...below]
  }
  return undefined
}

/** 400 when the body nests too deep or the pass-through parameters are too large. */
export function checkLimits(body: unknown, passthrough: Record<string, unknown>): void {
  const deep = tooDeep(body)
  if (deep) throw ApiError.badRequest(`${deep}: nested deeper than ${MAX_DEPTH} levels`, deep, 'invalid_value')
  let bytes = 0
  for (const key in passthrough) {
    bytes += key.length + (JSON.stringify(passthrough[key])?.length ?? 0)
    if (bytes > MAX_PASSTHROUGH_BYTES) {
      throw ApiError.badRequest(`${key}: parameters Freeway passes through may take ${MAX_PASSTHROUGH_BYTES} bytes in all`, key, 'invalid_value')
    }
  }
}
