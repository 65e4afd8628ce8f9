// What stands in front of the fake chat.deepseek.com's API: the AWS WAF (its challenge page for
// requests without the expected cookies) and the client-version floor (40005 below it).
import type { IncomingMessage, ServerResponse } from 'node:http'

const versionParts = (v: string) => v.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0)
export const versionAtLeast = (v: string | undefined, floor: string) => {
  const parts = versionParts(v ?? '0')
  const min = versionParts(floor)
  for (let i = 0; i < min.length; i++) if ((parts[i] ?? 0) !== min[i]) return (parts[i] ?? 0) > min[i]!
  return true
}

export function cookiesOf(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>()
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return jar
}

/** What AWS WAF answers a request without a valid token: 202, a challenge marker, a JS page. */
export function wafChallenge(res: ServerResponse): void {
  res.writeHead(202, { 'content-type': 'text/html; charset=UTF-8', 'x-amzn-waf-action': 'challenge' })
  res.end('<!DOCTYPE html><html><head><script src="https://example.token.awswaf.com/challenge.js"></script></head><body></body></html>')
}
