// Wire shapes of the fake Coze server: Chat/Message objects, SSE framing, envelopes.
import type { ServerResponse } from 'node:http'

export interface FakeMessage {
  id: string
  conversation_id: string
  bot_id: string
  chat_id: string
  section_id: string
  role: 'user' | 'assistant'
  type: string
  content: string
  content_type: string
  reasoning_content?: string
  meta_data: Record<string, string>
  created_at: number
  updated_at: number
}

export interface FakeChat {
  id: string
  conversation_id: string
  bot_id: string
  created_at: number
  completed_at?: number
  failed_at?: number
  meta_data: Record<string, string>
  last_error: { code: number; msg: string }
  status: 'created' | 'in_progress' | 'completed' | 'failed' | 'requires_action' | 'canceled'
  usage: { token_count: number; output_count: number; input_count: number }
  required_action?: unknown
}

let counter = 7_400_000_000_000_000_000n
/** Coze ids are 19-digit decimal strings. */
export const nextId = () => String(++counter)
export const now = () => Math.floor(Date.now() / 1000)

export const logid = () => `20261121${nextId().slice(-12)}`

/** `event:` and `data:` without a space after the colon, as in the SDK fixtures. */
export function sseFrame(event: string, data: unknown): string {
  return `event:${event}\ndata:${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`
}

export function sendEnvelope(res: ServerResponse, status: number, code: number, msg: string, data?: unknown): void {
  const id = logid()
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-tt-logid': id })
  res.end(JSON.stringify({ code, msg, ...(data === undefined ? {} : { data }), detail: { logid: id } }))
}

/** Split text into small deltas by code point, so multi-byte characters stay whole in JSON. */
export function chunksOf(text: string, size = 3): string[] {
  const chars = Array.from(text)
  const out: string[] = []
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''))
  return out
}

export function assistantMessage(chat: FakeChat, type: string, content: string, extra: Partial<FakeMessage> = {}): FakeMessage {
  return {
    id: nextId(),
    conversation_id: chat.conversation_id,
    bot_id: chat.bot_id,
    chat_id: chat.id,
    section_id: chat.conversation_id,
    role: 'assistant',
    type,
    content,
    content_type: 'text',
    meta_data: {},
    created_at: now(),
    updated_at: now(),
    ...extra,
  }
}

/** The marker Coze sends as a verbose message after the last answer of a multi-answer reply. */
export const answerFinishVerbose = JSON.stringify({ msg_type: 'generate_answer_finish', data: '', from_module: null, from_unit: null })
