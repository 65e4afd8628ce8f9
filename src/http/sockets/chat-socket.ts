// The seed's WebSocket chat routes: one socket, many turns, each a core chat turn over the
// server-side session named by chat_id (created when absent). In: {"type":"chat","data":{prompt,
// chat_id}} and {"type":"ping"}. Out: pong, delta*, done, or error {code,msg}.
import type { WebSocket } from 'ws'
import { performance } from 'node:perf_hooks'
import { z } from 'zod'
import { ChatFailure } from '../../core/chat/failure.js'
import type { ChatService } from '../../core/chat/service.js'
import type { ChatTurn } from '../../core/chat/turn.js'
import type { ClientKeys } from '../../core/client-keys.js'
import { timeOrderedUuid } from '../../core/ids.js'
import { RECORD_REALTIME_CHAT } from '../../core/meter.js'
import type { Logger } from '../../kit/log.js'
import type { InFlight } from '../exchange.js'
import { type SocketCaller, socketCaller } from './auth.js'
import { type SocketRoute, errorMessage, readMessage } from './hub.js'
import { sendNow, sendPaced } from './send.js'

/** The seed's paths and the model each serves unless realtime.routes says otherwise. */
export const CHAT_SOCKET_MODELS: Readonly<Record<string, string>> = {
  '/cozeZhsApi/ws/doubao/streamDou': 'doubao',
  '/cozeZhsApi/ws/qwen/stream': 'qwen',
  '/cozeZhsApi/ws/chatomni/stream': 'gpt-4o',
  '/cozeZhsApi/ws/zhipu/stream': 'glm-5',
  '/cozeZhsApi/ws/chatdeepseek/stream': 'deepseek-chat',
}

export interface ChatSocketOptions {
  chat: ChatService
  keys: ClientKeys
  /** Live settings, read at each use (runtime configuration changes apply to the next turn). */
  settings(): { allowAnonymous: boolean; routes: Record<string, string>; maxBufferedBytes: number }
  /** Turns running now, so a shutdown can stop them. */
  inflight: InFlight
  log: Logger
}

const incoming = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('ping') }),
  z.looseObject({
    type: z.literal('chat'),
    data: z.looseObject({
      prompt: z.string({ error: 'data.prompt is required' }).trim().min(1, 'data.prompt must not be empty'),
      chat_id: z.string().trim().max(200).nullish(),
    }),
  }),
])

export function chatSocketRoutes(o: ChatSocketOptions): SocketRoute[] {
  return Object.keys(CHAT_SOCKET_MODELS).map((path) => ({
    path,
    async admit(req, url) {
      const who = await socketCaller(o.keys, o.settings().allowAnonymous, req, url)
      return { owner: who.owner, open: (ws) => serveChat(o, path, who, ws) }
    },
  }))
}

function serveChat(o: ChatSocketOptions, path: string, who: SocketCaller, ws: WebSocket): void {
  let running: AbortController | undefined
  const stop = () => running?.abort(new DOMException('the socket closed', 'AbortError'))
  ws.once('closing', stop)
  ws.once('close', stop)
  ws.on('message', (raw, isBinary) => {
    const message = readMessage(ws, raw, isBinary, incoming, '{"type":"chat","data":{"prompt":"…"}} or {"type":"ping"}')
    if (!message) return
    if (message.type === 'ping') return sendNow(ws, JSON.stringify({ type: 'pong' }))
    // One turn at a time: the running one goes on, the new one is refused.
    if (running) return sendNow(ws, errorMessage(409, 'a chat is still answering on this socket; send the next one after its done'))
    const controller = new AbortController()
    running = controller
    o.inflight.add(controller)
    const model = o.settings().routes[path] ?? CHAT_SOCKET_MODELS[path]!
    // The socket is free again before the last message leaves: a client that sends its next chat
    // as soon as it reads `done` must not be refused.
    void runTurn(o, who, ws, model, message.data, controller.signal).then((last) => {
      o.inflight.delete(controller)
      running = undefined
      sendNow(ws, last)
    })
  })
}

async function runTurn(
  o: ChatSocketOptions,
  who: SocketCaller,
  ws: WebSocket,
  model: string,
  data: { prompt: string; chat_id?: string | null | undefined },
  signal: AbortSignal,
): Promise<string> {
  let turn: ChatTurn | undefined
  try {
    const user = who.onBehalfOf ?? who.caller.userId
    turn = await o.chat.open({
      requestId: timeOrderedUuid(),
      startedAt: performance.now(),
      caller: who.caller,
      model,
      request: { messages: [{ role: 'user', content: data.prompt }], stream: true, extra: {}, ...(user ? { user } : {}) },
      recordType: RECORD_REALTIME_CHAT,
      signal,
      onBehalfOf: who.onBehalfOf,
      session: { id: data.chat_id || undefined },
    })
    const chatId = turn.session!.sessionId
    const limit = o.settings().maxBufferedBytes
    for await (const e of turn.events()) {
      if (e.type !== 'text' && e.type !== 'reasoning') continue
      if (!e.text) continue
      const delta = e.type === 'text' ? { content: e.text, chat_id: chatId } : { content: '', reasoning: e.text, chat_id: chatId }
      // Leaving the loop (socket gone) returns the events, which stops the upstream call.
      if (!(await sendPaced(ws, JSON.stringify({ type: 'delta', data: delta }), limit))) break
    }
    const usage = turn.usage()
    const done = { content: turn.text, usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens }, chat_id: chatId }
    return JSON.stringify({ type: 'done', data: done })
  } catch (err) {
    const outcome = turn?.outcome
    const failure = outcome instanceof ChatFailure ? outcome : ChatFailure.from(err)
    if (failure.kind === 'internal') o.log.error(`socket chat: ${(failure.detail.cause as Error)?.stack ?? failure.message}`)
    return errorMessage(failure.status, failure.message)
  }
}
