// Read a JSON body with a size limit. Under @hono/node-server we read the Node stream directly,
// skipping the web Request body layers on the hot path.
import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import { ApiError } from './errors.js'

async function readLimited(source: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of source) {
    size += chunk.length
    if (size > limit) throw ApiError.tooLarge(limit)
    chunks.push(chunk)
  }
  return chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.length) : Buffer.concat(chunks)
}

/** A Node request body through its data events (no async iterator: this is the hot path). */
function readNode(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) return void parts.push(chunk)
      req.off('data', onData)
      reject(ApiError.tooLarge(limit))
    }
    req.on('data', onData)
    req.once('error', reject)
    req.once('end', () => {
      if (size <= limit) resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts))
    })
  })
}

/** A request body's bytes; 413 past the limit. */
export function readBytesFrom(source: IncomingMessage | AsyncIterable<Uint8Array>, contentLength: string | undefined, limit: number): Promise<Buffer> {
  if (Number(contentLength ?? 0) > limit) return Promise.reject(ApiError.tooLarge(limit))
  return 'headers' in source ? readNode(source, limit) : readLimited(source, limit)
}

/** The JSON a request body holds; 413 past the limit, 400 when empty or malformed. */
export function readJsonFrom(source: IncomingMessage | AsyncIterable<Uint8Array>, contentLength: string | undefined, limit: number): Promise<unknown> {
  return readBytesFrom(source, contentLength, limit).then(parseJson)
}

function parseJson(raw: Buffer): unknown {
  if (!raw.length) throw ApiError.badRequest('request body is empty; send JSON')
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch (err) {
    throw ApiError.badRequest(`request body is not valid JSON: ${(err as Error).message}`)
  }
}

export async function readJsonBody(c: Context, limit: number): Promise<unknown> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  const source = incoming ?? ((c.req.raw.body ?? []) as AsyncIterable<Uint8Array>)
  return readJsonFrom(source, c.req.header('content-length'), limit)
}

export function remoteAddress(c: Context): string | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}
