// Calls to the root-level compatibility routes (/user, /record, /chat, /session) of a TestApp.
import type { TestApp } from './app.js'

export interface CompatResponse {
  status: number
  json: any
  headers: Headers
}

export async function call(
  app: TestApp,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<CompatResponse> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...(body === undefined || body instanceof URLSearchParams ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: body instanceof URLSearchParams ? body : JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers }
}

/** Create a client key owned by `userId` through the admin API; returns the full key. */
export async function keyFor(app: TestApp, userId: string, extra: Record<string, unknown> = {}, secret?: string): Promise<string> {
  const res = await app.admin('PUT', '/key', { userId, remark: userId, ...extra }, secret)
  if (res.status !== 200) throw new Error(`could not create key: ${JSON.stringify(res.json)}`)
  return res.json.data.apiKey as string
}

/** Parse `data: {...}` lines of an SSE body. */
export function sseData(text: string): any[] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n').find((l) => l.startsWith('data: ')))
    .filter((l): l is string => !!l)
    .map((l) => JSON.parse(l.slice(6)))
}

export const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> => {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}
