// The credential is a Coze personal access token (PAT, `pat_...`), a service token or an OAuth
// access token; all travel as `Authorization: Bearer <token>`.
import { asObject, tryJson } from '../../src/kit/json.js'

/** Keys a pasted JSON blob may keep the token under (SDK configs, .env exports, localStorage). */
const TOKEN_KEYS = ['token', 'access_token', 'api_key', 'apiKey', 'pat', 'COZE_API_TOKEN'] as const

function fromJson(text: string): string | undefined {
  if (!/^[{"]/.test(text)) return undefined
  const parsed = tryJson(text)
  if (typeof parsed === 'string') return parsed
  const obj = asObject(parsed)
  for (const k of TOKEN_KEYS) if (typeof obj?.[k] === 'string') return obj[k] as string
  return undefined
}

/**
 * Accepts: `pat_x`, `Bearer pat_x`, `Authorization: Bearer pat_x`, `COZE_API_TOKEN=pat_x`
 * (optionally `export`ed or quoted), `"pat_x"` and `{"token":"pat_x"}`.
 */
export function normalizeSecret(raw: string): string {
  let text = raw.trim()
  for (let depth = 0; depth < 2; depth++) {
    const inner = fromJson(text)
    if (inner === undefined) break
    text = inner.trim()
  }
  text = text.replace(/^export\s+/i, '').replace(/^authorization\s*:\s*/i, '')
  const assignment = /^[A-Za-z_][\w.-]*\s*[=:]\s*(.+)$/.exec(text)
  // Padding-only remainders (`abc==`) mean the `=` belonged to the token itself.
  if (assignment && !assignment[1]!.startsWith('=')) text = assignment[1]!.trim()
  text = text.replace(/^(['"])(.*)\1$/, '$2').replace(/^bearer\s+/i, '')
  return text.trim()
}

export function authHeaders(secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret}` }
}
