// An OpenAI-compatible upstream that accepts the request (checks the key and the body like the
// real API), sends 200 with SSE headers, and then only `: keep-alive` comment lines, forever:
// what an overloaded upstream does while it queues a request. Counts the connections the relay
// closed.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type RunningServer, readJson, sendJson, startServer } from '../helpers/fake-server.js'

export interface CommentOnlyUpstream extends RunningServer {
  /** Chat requests accepted (answered with headers and comments). */
  accepted: number
  /** Accepted requests whose connection the client closed. */
  closed: number
}

export async function startCommentOnlyUpstream(validKey: string, everyMs = 20): Promise<CommentOnlyUpstream> {
  const state = { accepted: 0, closed: 0 }
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return sendJson(res, 404, { error: { message: 'Not found' } })
    if (req.headers.authorization !== `Bearer ${validKey}`)
      return sendJson(res, 401, { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } })
    const body = await readJson<{ model?: unknown; messages?: unknown }>(req)
    if (typeof body.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0)
      return sendJson(res, 400, { error: { message: "'model' and 'messages' are required", type: 'invalid_request_error' } })
    state.accepted++
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.flushHeaders()
    const timer = setInterval(() => res.write(': keep-alive\n\n'), everyMs)
    res.on('close', () => {
      clearInterval(timer)
      state.closed++
    })
  }
  const server = await startServer(handler)
  return Object.defineProperties(server, {
    accepted: { get: () => state.accepted },
    closed: { get: () => state.closed },
  }) as CommentOnlyUpstream
}
