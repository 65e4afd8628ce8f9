// The seed's public progress socket: a client registers {"event":"register","user_uuid","model_id",
// "chat_id"?} and from then on receives every change of that user's media tasks (only that chat's
// when chat_id is given) as {"event":"progress","task_id","status","progress","data"}. The events
// come from the task engine's bus (core/tasks/events.ts); this file only filters and forwards.
import type { WebSocket } from 'ws'
import { z } from 'zod'
import type { ClientKeys } from '../../core/client-keys.js'
import type { TaskEvent, TaskEvents } from '../../core/tasks/events.js'
import { actingCaller } from '../acting-user.js'
import { type SocketCaller, socketCaller } from './auth.js'
import { type SocketRoute, errorMessage, readMessage } from './hub.js'
import { sendNow } from './send.js'

export const PROGRESS_SOCKET_PATH = '/cozeZhsApi/public-socket/ws'

export interface ProgressSocketOptions {
  events: TaskEvents
  keys: ClientKeys
  settings(): { allowAnonymous: boolean }
}

const incoming = z.discriminatedUnion('event', [
  z.looseObject({ event: z.literal('ping') }),
  z.looseObject({
    event: z.literal('register'),
    user_uuid: z.string({ error: 'user_uuid is required' }).trim().min(1, 'user_uuid must not be empty').max(200),
    model_id: z.union([z.string(), z.number()]).nullish(),
    chat_id: z.string().trim().max(200).nullish(),
  }),
])

interface Registration {
  user: string
  chatId: string | undefined
  modelId: string | number | null
}

export function progressSocketRoute(o: ProgressSocketOptions): SocketRoute {
  return {
    path: PROGRESS_SOCKET_PATH,
    async admit(req, url) {
      const who = await socketCaller(o.keys, o.settings().allowAnonymous, req, url)
      return { owner: who.owner, open: (ws) => serveProgress(o, who, ws) }
    },
  }
}

/** What a socket sees of one task event: the seed's message, with the result URLs or the failure. */
export function progressMessage(e: TaskEvent): string {
  const data = {
    kind: e.kind,
    model: e.model,
    chat_id: e.chatId,
    ...(e.status === 'completed' ? { urls: e.urls, url: e.urls[0] ?? null } : {}),
    ...(e.status === 'failed' ? { msg: e.error } : {}),
  }
  return JSON.stringify({ event: 'progress', task_id: e.id, status: e.status, progress: e.progress, data })
}

function serveProgress(o: ProgressSocketOptions, who: SocketCaller, ws: WebSocket): void {
  let registration: Registration | undefined
  const unsubscribe = o.events.subscribe((e) => {
    const r = registration
    if (!r || e.userId !== r.user) return
    if (r.chatId && e.chatId !== r.chatId) return
    sendNow(ws, progressMessage(e))
  })
  ws.once('closing', unsubscribe)
  ws.once('close', unsubscribe)
  ws.on('message', (raw, isBinary) => {
    const message = readMessage(ws, raw, isBinary, incoming, '{"event":"register","user_uuid":"…","model_id":"…"}')
    if (!message) return
    if (message.event === 'ping') return sendNow(ws, JSON.stringify({ event: 'pong' }))
    // A user's progress is theirs: the key must be that user's, or one that may act for others
    // (or, with anonymous access on and no key, the named user, as on the chat sockets).
    let user: string | undefined
    try {
      const acting = actingCaller(who.caller, message.user_uuid, o.settings().allowAnonymous)
      user = acting.onBehalfOf ?? acting.caller.userId ?? undefined
    } catch (err) {
      return sendNow(ws, errorMessage(403, (err as Error).message))
    }
    if (!user) return sendNow(ws, errorMessage(403, 'this key has no user to follow'))
    registration = { user, chatId: message.chat_id || undefined, modelId: message.model_id ?? null }
    sendNow(ws, JSON.stringify({ event: 'registered', user_uuid: user, model_id: registration.modelId, chat_id: registration.chatId ?? null }))
  })
}
