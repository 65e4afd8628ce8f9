// Random ids from a pooled buffer: one randomBytes call serves hundreds of requests.
import { randomBytes } from 'node:crypto'

let pool = Buffer.alloc(0)
let offset = 0

function take(bytes: number): number {
  if (offset + bytes > pool.length) {
    pool = randomBytes(bytes * 512)
    offset = 0
  }
  offset += bytes
  return offset - bytes
}

export function randomId(prefix: string, bytes = 12): string {
  const at = take(bytes)
  return prefix + pool.toString('base64url', at, at + bytes)
}

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Request ids are
 * unique keys of the usage table; ids that grow with time land at the end of its index instead
 * of on a random page, which cuts the pages each batched write dirties several-fold.
 */
export function timeOrderedUuid(now = Date.now()): string {
  const at = take(10)
  const time = now.toString(16).padStart(12, '0')
  const rand = pool.toString('hex', at, at + 10)
  const variant = ((pool[at + 2]! & 0x3) | 0x8).toString(16)
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${rand.slice(0, 3)}-${variant}${rand.slice(5, 8)}-${rand.slice(8, 20)}`
}
