// OpenAI history → Coze `additional_messages`. Coze knows only user questions and assistant
// answers, so system, developer and tool turns travel as user questions.
import { invalidRequest } from '../../src/kit/errors.js'
import { flattenMessages, imageUrlsOf, lastUserMessage, textOf } from '../../src/kit/messages.js'
import type { ChatMessage } from '../../src/kit/types.js'
import { MAX_ADDITIONAL_MESSAGES, PROVIDER_ID } from './constants.js'

export interface CozeInputMessage {
  role: 'user' | 'assistant'
  type: 'question' | 'answer'
  content: string
  content_type: 'text' | 'object_string'
}

type ObjectItem = { type: 'text'; text: string } | { type: 'image'; file_url: string }

function userContent(m: ChatMessage): Pick<CozeInputMessage, 'content' | 'content_type'> {
  const text = textOf(m.content)
  const images = imageUrlsOf(m.content)
  if (!images.length) return { content: text, content_type: 'text' }
  if (images.some((u) => !/^https?:\/\//i.test(u)))
    throw invalidRequest(`${PROVIDER_ID} accepts images as http(s) URLs only, not inline data`, { provider: PROVIDER_ID })
  const items: ObjectItem[] = [
    ...(text ? [{ type: 'text' as const, text }] : []),
    ...images.map((url) => ({ type: 'image' as const, file_url: url })),
  ]
  return { content: JSON.stringify(items), content_type: 'object_string' }
}

function toCozeMessage(m: ChatMessage): CozeInputMessage | undefined {
  if (m.role === 'assistant') {
    const calls = m.tool_calls?.map((c) => `[call ${c.function.name}(${c.function.arguments})]`).join(' ') ?? ''
    const content = [textOf(m.content), calls].filter(Boolean).join(' ')
    return content ? { role: 'assistant', type: 'answer', content, content_type: 'text' } : undefined
  }
  if (m.role === 'tool') {
    const content = textOf(m.content)
    return content ? { role: 'user', type: 'question', content: `tool result: ${content}`, content_type: 'text' } : undefined
  }
  const body = m.role === 'user' ? userContent(m) : { content: textOf(m.content), content_type: 'text' as const }
  return body.content ? { role: 'user', type: 'question', ...body } : undefined
}

/** A new conversation: the whole history, with the oldest turns folded when it exceeds the limit. */
export function historyMessages(messages: readonly ChatMessage[]): CozeInputMessage[] {
  if (messages.length <= MAX_ADDITIONAL_MESSAGES) return collect(messages)
  const keep = MAX_ADDITIONAL_MESSAGES - 1
  const older = messages.slice(0, messages.length - keep)
  const folded: CozeInputMessage = {
    role: 'user',
    type: 'question',
    content: `Earlier conversation:\n${flattenMessages(older)}`,
    content_type: 'text',
  }
  return [folded, ...collect(messages.slice(-keep))]
}

function collect(messages: readonly ChatMessage[]): CozeInputMessage[] {
  const out = messages.map(toCozeMessage).filter((m): m is CozeInputMessage => m !== undefined)
  if (!out.some((m) => m.role === 'user')) throw invalidRequest(`${PROVIDER_ID} needs a user message`, { provider: PROVIDER_ID })
  return out
}

/** A continued conversation already holds the history upstream: send only the newest question. */
export function newestQuestion(messages: readonly ChatMessage[]): CozeInputMessage[] {
  const last = lastUserMessage(messages)
  const message = last && toCozeMessage(last)
  if (!message) throw invalidRequest(`${PROVIDER_ID} needs a user message`, { provider: PROVIDER_ID })
  return [message]
}
