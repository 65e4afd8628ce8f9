// The OpenAI chat answer shapes that vendor fakes with an OpenAI-compatible chat (DashScope's
// compatible mode, Ark) share: a whole chat.completion, or chunks ending in usage and [DONE].
import type { ServerResponse } from 'node:http'
import { sendJson } from '../helpers/fake-server.js'

export interface ChatAnswer {
  model: string
  parts: string[]
  reasoning?: string[]
  usage: { prompt_tokens: number; completion_tokens: number }
}

export function answerChat(res: ServerResponse, body: Record<string, any>, a: ChatAnswer): void {
  const usage = { ...a.usage, total_tokens: a.usage.prompt_tokens + a.usage.completion_tokens }
  const base = { id: 'chatcmpl-fake', created: 1_764_800_000, model: a.model }
  if (!body.stream) {
    const message = { role: 'assistant', content: a.parts.join(''), ...(a.reasoning ? { reasoning_content: a.reasoning.join('') } : {}) }
    sendJson(res, 200, { ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: 'stop' }], usage })
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
    res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`)
  chunk({ role: 'assistant', content: '' }, null)
  for (const r of a.reasoning ?? []) chunk({ reasoning_content: r }, null)
  for (const p of a.parts) chunk({ content: p }, null)
  chunk({}, 'stop')
  if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`)
  res.end('data: [DONE]\n\n')
}

/** Image parts of the user messages (vision models count what they were shown). */
export function imageUrlsIn(messages: unknown): string[] {
  if (!Array.isArray(messages)) return []
  return messages.flatMap((m) => (Array.isArray(m?.content) ? m.content : []).filter((p: any) => p?.type === 'image_url').map((p: any) => String(p.image_url?.url ?? '')))
}
