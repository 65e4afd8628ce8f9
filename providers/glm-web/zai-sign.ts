// chat.z.ai's X-Signature (notes §3.1, four peers agree): an HMAC-SHA256 chain keyed by a fixed
// salt and a five-minute time bucket, over the sorted request identity, the prompt and the time.
import { createHmac } from 'node:crypto'

/** The salt every peer uses; it is in the site's own script, not a secret of ours. */
export const ZAI_SIGN_SALT = 'key-@@@@)))()((9))-xxxx&&&%%%%%'
/** The signing key changes every five minutes. */
export const ZAI_BUCKET_MS = 300_000

const hmacHex = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex')

export interface ZaiSignInput {
  requestId: string
  /** Milliseconds since the epoch; the same value goes into `timestamp` and `signature_timestamp`. */
  timestamp: number
  userId: string
  /** The last user message's text (`signature_prompt`). */
  prompt: string
}

/** The key of the time bucket the timestamp falls in. */
export function windowKey(timestamp: number): string {
  return hmacHex(ZAI_SIGN_SALT, String(Math.floor(timestamp / ZAI_BUCKET_MS)))
}

/** `requestId,<rid>,timestamp,<ts>,user_id,<uid>`: the three fields sorted by name. */
export function signedPayload(input: ZaiSignInput): string {
  const fields: [string, string][] = [
    ['requestId', input.requestId],
    ['timestamp', String(input.timestamp)],
    ['user_id', input.userId],
  ]
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return fields.map(([k, v]) => `${k},${v}`).join(',')
}

/** The string the signature covers. */
export function signedData(input: ZaiSignInput): string {
  const prompt = Buffer.from(input.prompt.trim(), 'utf8').toString('base64')
  return `${signedPayload(input)}|${prompt}|${input.timestamp}`
}

export function zaiSignature(input: ZaiSignInput): string {
  return hmacHex(windowKey(input.timestamp), signedData(input))
}
