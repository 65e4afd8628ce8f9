// What a relayed chat answer served, for its usage row and record.
import { imageUrlsOf, lastUserMessage, textOf } from '../../kit/messages.js'
import type { ChatMessage } from '../../kit/types.js'
import type { Served } from '../meter.js'
import type { RelayStream } from '../relay.js'

/** Attachment URLs for the record; inline data is replaced by its media type (it can be megabytes). */
function attachments(message: ChatMessage | undefined): string {
  const urls = imageUrlsOf(message?.content ?? null).map((u) => {
    if (!u.startsWith('data:')) return u
    const comma = u.indexOf(',')
    return u.slice(0, comma > 0 ? Math.min(comma, 64) : 64)
  })
  return urls.length ? JSON.stringify(urls) : ''
}

/** The answer's tool calls in OpenAI's shape; null when it made none. */
function toolCallsOf(relay: RelayStream): unknown[] | null {
  const calls = relay.tally.toolCalls
  if (!calls.size) return null
  return [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, c]) => ({ id: c.id ?? `call_${index}`, type: 'function', function: { name: c.name, arguments: c.args } }))
}

export function servedBy(relay: RelayStream): Served {
  const messages = relay.request.messages
  const last = lastUserMessage(messages)
  return {
    provider: relay.instance.name,
    credentialId: relay.credentialId,
    servedModel: relay.request.model,
    usage: relay.tally.usage(messages),
    firstEventAt: relay.tally.firstEventAt,
    record: { question: textOf(last?.content ?? null), answer: relay.tally.text, content: attachments(last), toolCalls: toolCallsOf(relay) },
  }
}
