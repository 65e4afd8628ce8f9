// A ws client for the relay's sockets that collects the JSON messages it receives.
import { WebSocket } from 'ws'

export interface TestSocket {
  ws: WebSocket
  messages: any[]
  send(message: unknown): void
  /** Resolves with the first message (from `from` on) that matches. */
  next(match: (m: any) => boolean, from?: number, timeoutMs?: number): Promise<any>
  closed: Promise<{ code: number; reason: string }>
}

export async function openSocket(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<TestSocket> {
  const ws = new WebSocket(url, options)
  const messages: any[] = []
  const waiters = new Set<() => void>()
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()))
    for (const wake of waiters) wake()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  const next = (match: (m: any) => boolean, from = 0, timeoutMs = 5000) =>
    new Promise<any>((resolve, reject) => {
      const check = () => {
        const found = messages.slice(from).find(match)
        if (!found) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve(found)
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`no matching message in time; got ${JSON.stringify(messages).slice(0, 400)}`))
      }, timeoutMs)
      waiters.add(check)
      check()
    })
  return { ws, messages, send: (m) => ws.send(JSON.stringify(m)), next, closed }
}
