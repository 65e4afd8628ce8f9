// The www.dola.com side of the Doubao fake: Dola's query, body and stream as the 2026 notes give
// them (aid 495671, its own bot, `agw-js-conv: str, str`, named events with thinking_block /
// text_block deltas inside STREAM_CHUNK patch ops, a FULL_MSG_NOTIFY snapshot at the end).
import type { IncomingMessage } from 'node:http'
import { type CompletionBody, type Conversation, DOLA_BOT_ID, THINKING_TEXT, answerFor, pieces } from './doubao-web.js'

/** What is wrong with a Dola request, beyond the checks both sites share. */
export function dolaProblems(req: IncomingMessage, query: URLSearchParams, body: CompletionBody): string[] {
  const problems: string[] = []
  const expected: Record<string, string> = {
    channel: 'g',
    web_platform: 'browser',
    samantha_web: '1',
    'use-olympus-account': '1',
    version_code: '20800',
  }
  for (const [k, v] of Object.entries(expected)) if (query.get(k) !== v) problems.push(k)
  if (!query.get('language') || !query.get('region') || query.get('sys_region') !== query.get('region')) problems.push('region')
  if (!/^[0-9a-f-]{36}$/.test(query.get('web_tab_id') ?? '')) problems.push('web_tab_id')
  if (query.has('device_id') || query.has('real_aid')) problems.push('doubao-only query')
  if (req.headers['agw-js-conv'] !== 'str, str') problems.push('agw-js-conv')
  if (!String(req.headers.referer).endsWith('/chat/')) problems.push('referer')
  if (body.client_meta?.bot_id !== DOLA_BOT_ID) problems.push('bot')
  const o = body.option
  if (typeof o?.create_time_ms !== 'number' || typeof o.recovery_option !== 'object') problems.push('option')
  if (o?.sse_recv_event_options?.support_chunk_delta !== true) problems.push('chunk delta')
  if (body.chat_ability?.ability_type !== 0 || !Array.isArray(body.user_context)) problems.push('ability')
  return problems
}

type Send = (event: string, data: unknown) => void

/** Dola's stream for one turn; the conversation is named in the first message notification. */
export function dolaAnswer(send: Send, conversationId: string, conv: Conversation, prompt: string, think: number, end: () => void) {
  const block = (id: string, content: Record<string, unknown>) => ({ block_type: 10000, block_id: id, parent_id: '', content })
  const chunk = (b: unknown) => send('STREAM_CHUNK', { patch_op: [{ patch_object: 1, patch_type: 1, patch_value: { content_block: [b] } }] })
  send('SSE_HEARTBEAT', {})
  send('STREAM_MSG_NOTIFY', {
    meta: { conversation_id: conversationId, section_id: conv.sectionId, message_id: `${conversationId}1` },
    content: { content_block: [] },
  })
  if (think > 0) for (const p of pieces(THINKING_TEXT)) chunk(block('think', { thinking_block: { text: p } }))
  const answer = answerFor(prompt, conv.prompts.length)
  for (const p of pieces(answer)) chunk(block('answer', { text_block: { text: p } }))
  send('DOWNLINK_CMD', { cmd_type: 1, cmd: { title: '新对话' } })
  const full = [
    ...(think > 0 ? [block('think', { thinking_block: { text: THINKING_TEXT } })] : []),
    block('answer', { text_block: { text: answer } }),
  ]
  send('FULL_MSG_NOTIFY', { message: { conversation_id: conversationId, content: { content_block: full } } })
  send('SSE_REPLY_END', { end_type: 1 })
  end()
}
