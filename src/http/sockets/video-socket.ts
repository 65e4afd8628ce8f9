// The seed's video synthesis socket: {"type":"video_synthesis","data":{"prompt","chat_id"}} submits a
// video task (realtime.video_model) through the task engine, which bills and records it; the socket
// then forwards that task's events as {"type":"progress"} messages and ends with {"type":"done"}
// carrying the video URL, or an error. A task outlives its socket: closing it stops only the messages.
import type { WebSocket } from 'ws'
import { z } from 'zod'
import { ChatFailure } from '../../core/chat/failure.js'
import type { ClientKeys } from '../../core/client-keys.js'
import { timeOrderedUuid } from '../../core/ids.js'
import type { TaskEngine } from '../../core/tasks/engine.js'
import type { TaskEvent } from '../../core/tasks/events.js'
import type { Logger } from '../../kit/log.js'
import { type SocketCaller, socketCaller } from './auth.js'
import { type SocketRoute, errorMessage, readMessage } from './hub.js'
import { sendNow } from './send.js'

export const VIDEO_SOCKET_PATH = '/cozeZhsApi/dashscope/video-synthesis/ws'

export interface VideoSocketOptions {
  tasks: TaskEngine
  keys: ClientKeys
  settings(): { allowAnonymous: boolean; videoModel: string }
  log: Logger
}

const incoming = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('ping') }),
  z.looseObject({
    type: z.literal('video_synthesis'),
    data: z.looseObject({
      prompt: z.string({ error: 'data.prompt is required' }).trim().min(1, 'data.prompt must not be empty'),
      chat_id: z.string().trim().max(200).nullish(),
      seconds: z.number().positive().max(600).optional(),
      size: z.string().trim().max(40).optional(),
    }),
  }),
])
type Synthesis = Extract<z.infer<typeof incoming>, { type: 'video_synthesis' }>['data']

export function videoSocketRoute(o: VideoSocketOptions): SocketRoute {
  return {
    path: VIDEO_SOCKET_PATH,
    async admit(req, url) {
      const who = await socketCaller(o.keys, o.settings().allowAnonymous, req, url)
      return { owner: who.owner, open: (ws) => serveVideo(o, who, ws) }
    },
  }
}

function serveVideo(o: VideoSocketOptions, who: SocketCaller, ws: WebSocket): void {
  let running: (() => void) | undefined
  const stop = () => running?.()
  ws.once('closing', stop)
  ws.once('close', stop)
  ws.on('message', (raw, isBinary) => {
    const message = readMessage(ws, raw, isBinary, incoming, '{"type":"video_synthesis","data":{"prompt":"…"}} or {"type":"ping"}')
    if (!message) return
    if (message.type === 'ping') return sendNow(ws, JSON.stringify({ type: 'pong' }))
    if (running) return sendNow(ws, errorMessage(409, 'a video is still being made on this socket; send the next one after its done'))
    running = follow(o, who, ws, message.data, () => {
      running = undefined
    })
  })
}

/** Submits one video and forwards its events; returns what stops the forwarding (the socket closed). */
function follow(o: VideoSocketOptions, who: SocketCaller, ws: WebSocket, data: Synthesis, ended: () => void): () => void {
  const controller = new AbortController()
  const chatId = data.chat_id || null
  // Subscribed before the submit: a synchronous upstream ends the task inside submit().
  let taskId: string | undefined
  const early: TaskEvent[] = []
  let over = false
  const finish = (last?: string) => {
    if (over) return
    over = true
    unsubscribe()
    ended()
    if (last) sendNow(ws, last)
  }
  const forward = (e: TaskEvent) => {
    if (e.status === 'completed') {
      return finish(JSON.stringify({ type: 'done', data: { task_id: e.id, video_url: e.urls[0] ?? null, urls: e.urls, chat_id: chatId } }))
    }
    if (e.status === 'failed') return finish(errorMessage(502, e.error ?? 'the video task failed'))
    sendNow(ws, JSON.stringify({ type: 'progress', data: { task_id: e.id, status: e.status, progress: e.progress, chat_id: chatId } }))
  }
  const unsubscribe = o.tasks.events.subscribe((e) => {
    if (taskId === undefined) early.push(e)
    else if (e.id === taskId) forward(e)
  })
  o.tasks
    .submit({
      requestId: timeOrderedUuid(),
      caller: who.caller,
      model: o.settings().videoModel,
      kinds: ['video'],
      request: { prompt: data.prompt, ...(data.seconds ? { seconds: data.seconds } : {}), ...(data.size ? { size: data.size } : {}), extra: {} },
      onBehalfOf: who.onBehalfOf,
      chatId,
      signal: controller.signal,
    })
    .then((row) => {
      taskId = row.id
      for (const e of early.splice(0)) if (e.id === row.id) forward(e)
    })
    .catch((err: unknown) => {
      const failure = ChatFailure.from(err)
      if (failure.kind === 'internal') o.log.error(`video socket: ${(failure.detail.cause as Error)?.stack ?? failure.message}`)
      finish(errorMessage(failure.status, failure.message))
    })
  return () => {
    controller.abort(new DOMException('the socket closed', 'AbortError'))
    finish()
  }
}
