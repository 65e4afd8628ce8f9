// Message helpers for upstreams that take one prompt instead of a message list.
import type { ChatMessage, ContentPart } from './types.js'

export function textOf(content: ChatMessage['content']): string {
  if (content == null) return ''
  if (typeof content === 'string') return content
  return content
    .filter((p): p is Extract<ContentPart, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('\n')
}

export function imageUrlsOf(content: ChatMessage['content']): string[] {
  if (content == null || typeof content === 'string') return []
  return content
    .filter((p): p is Extract<ContentPart, { type: 'image_url' }> => p.type === 'image_url')
    .map((p) => p.image_url.url)
}

export function lastUserMessage(messages: readonly ChatMessage[]): ChatMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]
  return undefined
}

export interface FlattenOptions {
  /** Label per role; defaults to the role name. */
  labels?: Partial<Record<ChatMessage['role'], string>>
  /** Inserted before the last user message when there is history (e.g. "focus on the latest"). */
  latestHint?: string
  separator?: string
}

/**
 * Fold a whole history into one prompt. A single user message is sent as-is, so a plain question
 * reaches the upstream unchanged.
 */
export function flattenMessages(messages: readonly ChatMessage[], options: FlattenOptions = {}): string {
  const relevant = messages.filter((m) => textOf(m.content).trim() || m.tool_calls?.length)
  if (relevant.length === 1 && relevant[0]!.role === 'user') return textOf(relevant[0]!.content)
  const sep = options.separator ?? '\n'
  const lines: string[] = []
  relevant.forEach((m, i) => {
    if (options.latestHint && i === relevant.length - 1 && m.role === 'user') lines.push(options.latestHint)
    const label = options.labels?.[m.role] ?? m.role
    const toolCalls = m.tool_calls?.map((c) => `[call ${c.function.name}(${c.function.arguments})]`).join(' ') ?? ''
    lines.push(`${label}: ${textOf(m.content)}${toolCalls ? ` ${toolCalls}` : ''}`)
  })
  return lines.join(sep)
}
