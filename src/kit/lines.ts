// Bytes → text lines (for NDJSON and other line-framed streams), UTF-8 safe across chunks.
import { tryJson } from './json.js'

export async function* readLines(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8')
  let buffer = ''
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    let nl = buffer.indexOf('\n')
    while (nl >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '')
      buffer = buffer.slice(nl + 1)
      if (line) yield line
      nl = buffer.indexOf('\n')
    }
  }
  buffer += decoder.decode()
  if (buffer.trim()) yield buffer.replace(/\r$/, '')
}

/** NDJSON: one JSON value per line; lines that are not JSON are skipped. */
export async function* readNdjson<T = unknown>(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<T> {
  for await (const line of readLines(body)) {
    // Keep-alive and garbage lines are skipped; the caller's parser decides what matters.
    const value = tryJson(line)
    if (value !== undefined) yield value as T
  }
}
