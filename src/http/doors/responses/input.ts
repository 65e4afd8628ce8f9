// Responses input items → chat messages. Messages keep their role (developer becomes system:
// chat upstreams other than OpenAI refuse developer), function_call items become the assistant's
// tool_calls, function_call_output items tool messages. Reasoning items (opaque, often encrypted
// by another service) and item types without a chat equivalent are skipped, not refused.
import { isObject } from '../../../kit/json.js'
import type { ChatMessage, ContentPart } from '../../../kit/types.js'
import { ApiError } from '../../errors.js'

export type Item = Record<string, unknown>

export interface MappedInput {
  messages: ChatMessage[]
  /** The items as GET .../input_items lists them: each with an id, message content as parts. */
  items: Item[]
}

/** An item of a stored response by id (item_reference), or undefined. */
export type ItemLookup = (id: string) => Item | undefined

const ROLES = new Set(['user', 'assistant', 'system', 'developer'])
const bad = (param: string, message: string, code = 'invalid_value') => ApiError.badRequest(`${param}: ${message}`, param, code)

/** One content part as chat content, or undefined for parts without a chat equivalent. */
function chatPart(raw: unknown, param: string): ContentPart | undefined {
  if (!isObject(raw)) throw bad(param, 'a content part must be an object')
  switch (raw.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      if (typeof raw.text !== 'string') throw bad(`${param}.text`, `a ${raw.type} part needs text (a string)`)
      return { type: 'text', text: raw.text }
    case 'refusal':
      return typeof raw.refusal === 'string' ? { type: 'text', text: raw.refusal } : undefined
    case 'input_image': {
      if (typeof raw.image_url === 'string' && raw.image_url) {
        const detail = typeof raw.detail === 'string' ? { detail: raw.detail } : {}
        return { type: 'image_url', image_url: { url: raw.image_url, ...detail } }
      }
      if (raw.file_id != null) throw bad(`${param}.file_id`, 'images by file_id are not supported (Freeway has no Files API); send image_url as a URL or a data: URL', 'not_supported')
      throw bad(`${param}.image_url`, 'an input_image part needs image_url (a URL or a data: URL)')
    }
    case 'input_file':
      if (typeof raw.file_data === 'string' && raw.file_data) {
        return { type: 'file', file: { file_data: raw.file_data, ...(typeof raw.filename === 'string' ? { filename: raw.filename } : {}) } }
      }
      throw bad(`${param}.file_data`, 'files by file_id or file_url are not supported; send file_data (base64) with a filename', 'not_supported')
    default:
      return undefined
  }
}

const texts = (parts: ContentPart[]) => parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n')

function messageOf(raw: Item, param: string): ChatMessage {
  const role = raw.role
  if (typeof role !== 'string' || !ROLES.has(role)) throw bad(`${param}.role`, 'expected user, assistant, system or developer')
  const chatRole = role === 'developer' ? 'system' : (role as ChatMessage['role'])
  const content = raw.content
  if (typeof content === 'string') return { role: chatRole, content }
  if (!Array.isArray(content)) throw bad(`${param}.content`, 'expected a string or an array of content parts')
  const parts = content.map((p, j) => chatPart(p, `${param}.content.${j}`)).filter((p): p is ContentPart => p !== undefined)
  // Only user turns carry images and files upstream; the other roles are text.
  if (chatRole !== 'user') return { role: chatRole, content: texts(parts) }
  const only = parts.length === 1 ? parts[0] : undefined
  return { role: 'user', content: only?.type === 'text' ? only.text : parts }
}

function outputText(output: unknown, param: string): string {
  if (typeof output === 'string') return output
  if (Array.isArray(output)) return output.flatMap((p) => (isObject(p) && typeof p.text === 'string' ? [p.text] : [])).join('\n')
  throw bad(param, 'expected a string or an array of content parts')
}

/** Messages and tool calls folded into the chat history: an assistant turn gathers what follows it. */
class History {
  readonly messages: ChatMessage[] = []

  private get lastAssistant(): ChatMessage | undefined {
    const last = this.messages.at(-1)
    return last?.role === 'assistant' ? last : undefined
  }

  message(m: ChatMessage): void {
    const last = this.lastAssistant
    if (m.role === 'assistant' && last) {
      // Text after a tool call of the same answer belongs to that answer (chat has one message per turn).
      const before = typeof last.content === 'string' ? last.content : ''
      last.content = before ? `${before}\n${m.content}` : (m.content as string)
      return
    }
    this.messages.push(m)
  }

  functionCall(raw: Item, param: string): void {
    const { call_id: callId, name, arguments: args } = raw
    if (typeof callId !== 'string' || !callId) throw bad(`${param}.call_id`, 'a function_call needs call_id')
    if (typeof name !== 'string' || !name) throw bad(`${param}.name`, 'a function_call needs a name')
    if (typeof args !== 'string') throw bad(`${param}.arguments`, 'a function_call needs arguments (a JSON string)')
    const call = { id: callId, type: 'function' as const, function: { name, arguments: args } }
    const last = this.lastAssistant
    if (last) last.tool_calls = [...(last.tool_calls ?? []), call]
    else this.messages.push({ role: 'assistant', content: null, tool_calls: [call] })
  }

  functionOutput(raw: Item, param: string): void {
    if (typeof raw.call_id !== 'string' || !raw.call_id) throw bad(`${param}.call_id`, 'a function_call_output needs call_id')
    this.messages.push({ role: 'tool', tool_call_id: raw.call_id, content: outputText(raw.output, `${param}.output`) })
  }
}

const ID_PREFIX: Record<string, string> = { message: 'msg', function_call: 'fc', function_call_output: 'fco', reasoning: 'rs' }

/** The item as listed later: an id, and message content as parts. */
function listed(raw: Item, type: string, id: string): Item {
  const item: Item = { ...raw, type, id }
  if (type === 'message' && typeof raw.content === 'string') {
    item.content = [{ type: raw.role === 'assistant' ? 'output_text' : 'input_text', text: raw.content }]
  }
  return item
}

/** Map `input` (a string or items); `token` names the response, for ids of items that have none. */
/** The ids of the input's item_references, to look up before mapInput. */
export function referencedIds(input: string | readonly unknown[]): string[] {
  if (typeof input === 'string') return []
  return input.flatMap((raw) => (isObject(raw) && raw.type === 'item_reference' && typeof raw.id === 'string' ? [raw.id] : []))
}

export function mapInput(input: string | readonly unknown[], lookup: ItemLookup, token: string): MappedInput {
  if (typeof input === 'string') {
    return {
      messages: [{ role: 'user', content: input }],
      items: [{ type: 'message', id: `msg_${token}_in0`, role: 'user', content: [{ type: 'input_text', text: input }] }],
    }
  }
  const history = new History()
  const items: Item[] = []
  const apply = (raw: Item, type: string, param: string) => {
    if (type === 'message') history.message(messageOf(raw, param))
    else if (type === 'function_call') history.functionCall(raw, param)
    else if (type === 'function_call_output') history.functionOutput(raw, param)
  }
  for (const [i, raw] of input.entries()) {
    const param = `input.${i}`
    if (!isObject(raw)) throw bad(param, 'an input item must be an object')
    const type = typeof raw.type === 'string' ? raw.type : 'role' in raw ? 'message' : undefined
    if (!type) throw bad(`${param}.type`, 'an input item needs a type')
    if (type === 'item_reference') {
      const ref = typeof raw.id === 'string' ? lookup(raw.id) : undefined
      if (!ref) throw new ApiError(404, `${param}.id: no stored item ${JSON.stringify(raw.id)}`, 'invalid_request_error', 'not_found', `${param}.id`)
      apply(ref, String(ref.type), param)
      items.push(ref)
      continue
    }
    apply(raw, type, param)
    items.push(listed(raw, type, typeof raw.id === 'string' && raw.id ? raw.id : `${ID_PREFIX[type] ?? 'item'}_${token}_in${i}`))
  }
  return { messages: history.messages, items }
}

/**
 * Chat upstreams refuse a tool message that answers no call of the assistant turn before it, and an
 * assistant turn whose calls are not all answered before the conversation goes on. Refuse both here,
 * with the call named, rather than after the upstream's 400.
 */
export function checkToolTurns(messages: readonly ChatMessage[]): void {
  let pending = new Set<string>()
  for (const m of messages) {
    if (m.role === 'tool') {
      if (!m.tool_call_id || !pending.delete(m.tool_call_id)) {
        throw bad('input', `function_call_output for call_id ${JSON.stringify(m.tool_call_id)} has no function_call before it`)
      }
      continue
    }
    if (pending.size) break
    pending = new Set(m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.id) : [])
  }
  if (pending.size) {
    throw bad('input', `no function_call_output for call_id ${JSON.stringify([...pending][0])} (each function_call needs its output before the conversation goes on)`)
  }
}
