// Volcengine's V4 request signing (HMAC-SHA256), as its SDK does it. Pure: the caller passes the
// time, so the official test vector pins it down.
import { createHash, createHmac } from 'node:crypto'

export interface SignInput {
  method: string
  /** The Host header as sent (with the port when it is not the default). */
  host: string
  path: string
  query: Readonly<Record<string, string>>
  contentType: string
  body: string | Uint8Array
  accessKey: string
  /** Used as it is: Volcengine secret keys look like base64 but are never decoded. */
  secretKey: string
  region: string
  service: string
  /** `20060102T150405Z`. */
  xDate: string
}

export interface Signed {
  /** Headers to send besides Host. */
  headers: Record<string, string>
  canonicalRequest: string
  hashedCanonicalRequest: string
  scope: string
  signature: string
}

export const SIGNED_HEADERS = 'content-type;host;x-content-sha256;x-date'

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()

/** RFC 3986: encodeURIComponent leaves !'()* alone, the SDK escapes them. */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(query[k]!)}`)
    .join('&')
}

/** `Date` → `20060102T150405Z`. */
export const xDateOf = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')

export function signV4(i: SignInput): Signed {
  const bodyHash = sha256Hex(i.body)
  const values: Record<string, string> = { 'content-type': i.contentType, host: i.host, 'x-content-sha256': bodyHash, 'x-date': i.xDate }
  const headerBlock = SIGNED_HEADERS.split(';')
    .map((h) => `${h}:${values[h]!.trim()}\n`)
    .join('')
  const canonicalRequest = [i.method.toUpperCase(), i.path, canonicalQuery(i.query), headerBlock, SIGNED_HEADERS, bodyHash].join('\n')
  const hashedCanonicalRequest = sha256Hex(canonicalRequest)
  const shortDate = i.xDate.slice(0, 8)
  const scope = `${shortDate}/${i.region}/${i.service}/request`
  const stringToSign = `HMAC-SHA256\n${i.xDate}\n${scope}\n${hashedCanonicalRequest}`
  const key = hmac(hmac(hmac(hmac(i.secretKey, shortDate), i.region), i.service), 'request')
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex')
  return {
    headers: {
      'content-type': i.contentType,
      'x-date': i.xDate,
      'x-content-sha256': bodyHash,
      authorization: `HMAC-SHA256 Credential=${i.accessKey}/${scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
    },
    canonicalRequest,
    hashedCanonicalRequest,
    scope,
    signature,
  }
}
