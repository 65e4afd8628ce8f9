// Byte-level stream replay: a recorded body whole, and split at every byte boundary.
export async function* streamOf(chunks: readonly (Uint8Array | string)[]): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder()
  for (const c of chunks) yield typeof c === 'string' ? enc.encode(c) : c
}

/** Every way to cut the bytes in two: [whole], then [a, b] for each boundary. */
export function* everySplit(input: Uint8Array | string): Generator<Uint8Array[]> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  yield [bytes]
  for (let i = 1; i < bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)]
}

/** One chunk per byte: the harshest split of all. */
export function byteByByte(input: Uint8Array | string): Uint8Array[] {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  return Array.from(bytes, (b) => Uint8Array.of(b))
}

export async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}
