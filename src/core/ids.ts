// Random ids from a pooled buffer: one randomBytes call serves hundreds of requests.
import { randomBytes } from 'node:crypto'

let pool = Buffer.alloc(0)
let offset = 0

export function randomId(prefix: string, bytes = 12): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(bytes * 512)
    offset = 0
  }
  const id = pool.toString('base64url', offset, offset + bytes)
  offset += bytes
  return prefix + id
}
