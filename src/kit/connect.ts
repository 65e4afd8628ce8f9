// Connect-RPC streaming envelopes: [flags:1][length:4 big-endian][payload]. Shared by every
// Connect upstream (kimi-web today) for both request and response framing.
import { protocolError } from './errors.js'
import { tryJson } from './json.js'

export const CONNECT_FLAG_COMPRESSED = 0x01
export const CONNECT_FLAG_END_STREAM = 0x02
/** gRPC-web trailer bit; such frames carry no message. */
export const CONNECT_FLAG_GRPC_TRAILER = 0x80
export const CONNECT_MAX_FRAME = 8 * 1024 * 1024

export interface ConnectFrame {
  flags: number
  payload: Uint8Array
}

const encoder = new TextEncoder()

export function encodeConnectFrame(message: unknown, flags = 0): Uint8Array {
  const payload = encoder.encode(JSON.stringify(message))
  const frame = new Uint8Array(5 + payload.length)
  frame[0] = flags
  new DataView(frame.buffer).setUint32(1, payload.length, false)
  frame.set(payload, 5)
  return frame
}

/** Reassemble frames from a byte stream split anywhere. */
export async function* readConnectFrames(body: AsyncIterable<Uint8Array>): AsyncGenerator<ConnectFrame> {
  let buf: Uint8Array = new Uint8Array(0)
  for await (const chunk of body) {
    buf = buf.length ? concat(buf, chunk) : chunk
    let offset = 0
    while (buf.length - offset >= 5) {
      const length = new DataView(buf.buffer, buf.byteOffset + offset + 1, 4).getUint32(0, false)
      if (length > CONNECT_MAX_FRAME) throw protocolError(`Connect frame of ${length} bytes exceeds the 8 MiB cap`)
      if (buf.length - offset - 5 < length) break
      const flags = buf[offset]!
      yield { flags, payload: buf.slice(offset + 5, offset + 5 + length) }
      offset += 5 + length
    }
    buf = offset ? buf.slice(offset) : buf
  }
  if (buf.length) throw protocolError('Connect stream ended inside a frame')
}

export interface ConnectMessage {
  /** True for the end-of-stream trailer frame. */
  end: boolean
  json: Record<string, unknown>
}

const decoder = new TextDecoder('utf-8')

/** Frames → JSON messages; gRPC-web trailers skipped, compressed frames refused. */
export async function* readConnectMessages(body: AsyncIterable<Uint8Array>): AsyncGenerator<ConnectMessage> {
  for await (const frame of readConnectFrames(body)) {
    if (frame.flags & CONNECT_FLAG_GRPC_TRAILER) continue
    if (frame.flags & CONNECT_FLAG_COMPRESSED) throw protocolError('compressed Connect frames are not supported')
    const text = decoder.decode(frame.payload)
    const json = text ? tryJson(text) : {}
    if (json === undefined) throw protocolError('Connect frame is not JSON')
    yield { end: (frame.flags & CONNECT_FLAG_END_STREAM) !== 0, json: json as Record<string, unknown> }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
