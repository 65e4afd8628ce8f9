// A Messages request → the provider-neutral chat request (OpenAI chat shapes). Content that an
// upstream could only fail on later is refused here with a 400 that names the block.
import type { BaseRequest } from '../../../core/relay.js'
import { isObject } from '../../../kit/json.js'
import type { ChatMessage, ContentPart, ReasoningRequest, ToolCall } from '../../../kit/types.js'
import { ApiError } from '../../errors.js'
import { checkLimits } from '../../json-limits.js'
import type { Block, Content, CountBody, MessagesBody, Tool } from './body.js'
import { callIdOf } from './tool-ids.js'

const bad = (at: string, message: string) => ApiError.badRequest(`${at}: ${message}`, at, 'invalid_value')

/** Blocks an assistant turn may carry that mean nothing to another upstream: earlier thinking (its
 * signature is Anthropic's) and the calls and results of Anthropic's server-side tools. */
const DROPPED_ASSISTANT_BLOCK = /^(thinking|redacted_thinking|server_tool_use|mcp_tool_use|.+_tool_result)$/

const blocksOf = (content: Content): Block[] => (typeof content === 'string' ? [{ type: 'text', text: content }] : content)

function textOfBlock(b: Block, at: string): string {
  if (typeof b.text !== 'string') throw bad(`${at}.text`, 'a text block needs text (a string)')
  return b.text
}

function imagePart(b: Block, at: string): ContentPart {
  const source = b.source
  if (!isObject(source)) throw bad(`${at}.source`, 'an image block needs a source')
  if (source.type === 'base64') {
    if (typeof source.media_type !== 'string' || typeof source.data !== 'string' || !source.data) {
      throw bad(`${at}.source`, 'a base64 image source needs media_type and data')
    }
    return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } }
  }
  if (source.type === 'url') {
    if (typeof source.url !== 'string' || !source.url) throw bad(`${at}.source.url`, 'a url image source needs url')
    return { type: 'image_url', image_url: { url: source.url } }
  }
  throw bad(`${at}.source.type`, `image sources of type ${String(source.type)} are not supported (use base64 or url)`)
}

/** A document with a text source (or text content blocks) is text; PDFs and files are refused. */
function documentText(b: Block, at: string): string {
  const source = b.source
  if (!isObject(source)) throw bad(`${at}.source`, 'a document block needs a source')
  let text: string
  if (source.type === 'text' && typeof source.data === 'string') text = source.data
  else if (source.type === 'content') text = textOnly(asContent(source.content, `${at}.source.content`), `${at}.source.content`)
  else throw bad(`${at}.source.type`, `document sources of type ${String(source.type)} are not supported; send the document as a text source`)
  return typeof b.title === 'string' && b.title ? `${b.title}\n\n${text}` : text
}

/** Content the body schema has not checked (a document's own content). */
function asContent(v: unknown, at: string): Content {
  if (typeof v === 'string') return v
  if (Array.isArray(v) && v.every((b) => isObject(b) && typeof b.type === 'string')) return v as Block[]
  throw bad(at, 'content must be a string or content blocks')
}

/** Content that may only hold text (system prompts, system messages in the list). */
function textOnly(content: Content, at: string): string {
  if (typeof content === 'string') return content
  return content
    .map((b, i) => {
      if (b.type !== 'text') throw bad(`${at}.${i}.type`, `only text blocks are allowed here, not ${b.type}`)
      return textOfBlock(b, `${at}.${i}`)
    })
    .join('\n')
}

/** Parts as compact as an upstream can take them: text-only content becomes one string. */
function partsContent(parts: ContentPart[]): ChatMessage['content'] {
  if (parts.every((p) => p.type === 'text')) return parts.map((p) => (p as { text: string }).text).join('\n')
  return parts
}

/** A tool_result's content: its text for the tool message, its images for the user message after it. */
function toolResult(b: Block, at: string): { message: ChatMessage; images: ContentPart[] } {
  if (typeof b.tool_use_id !== 'string' || !b.tool_use_id) throw bad(`${at}.tool_use_id`, 'a tool_result needs tool_use_id')
  const texts: string[] = []
  const images: ContentPart[] = []
  const content = b.content
  if (typeof content === 'string') texts.push(content)
  else if (Array.isArray(content)) {
    content.forEach((inner: unknown, i) => {
      const where = `${at}.content.${i}`
      if (!isObject(inner) || typeof inner.type !== 'string') throw bad(where, 'a content block needs a type')
      const part = inner as Block
      if (part.type === 'text') texts.push(textOfBlock(part, where))
      else if (part.type === 'image') images.push(imagePart(part, where))
      else if (part.type === 'document') texts.push(documentText(part, where))
      // Whatever else a tool returned is data for the model: it reads it as JSON.
      else texts.push(JSON.stringify(part))
    })
  } else if (content != null) throw bad(`${at}.content`, 'tool_result content must be a string or content blocks')
  const text = texts.join('\n')
  // The upstream has no is_error flag, so the model is told in words.
  const said = b.is_error === true ? `The tool call failed with this error:\n${text}` : text
  return { message: { role: 'tool', tool_call_id: callIdOf(b.tool_use_id), content: said }, images }
}

/** One user turn: its tool results first (OpenAI wants them right after the calls), then the rest. */
function userMessages(content: Content, at: string): ChatMessage[] {
  const tools: ChatMessage[] = []
  const parts: ContentPart[] = []
  blocksOf(content).forEach((b, i) => {
    const where = `${at}.${i}`
    if (b.type === 'text') parts.push({ type: 'text', text: textOfBlock(b, where) })
    else if (b.type === 'image') parts.push(imagePart(b, where))
    else if (b.type === 'document') parts.push({ type: 'text', text: documentText(b, where) })
    else if (b.type === 'tool_result') {
      const result = toolResult(b, where)
      tools.push(result.message)
      if (result.images.length) parts.push({ type: 'text', text: `Images returned by tool call ${b.tool_use_id}:` }, ...result.images)
    } else throw bad(`${where}.type`, `content blocks of type ${b.type} are not supported`)
  })
  if (!parts.length) return tools.length ? tools : [{ role: 'user', content: '' }]
  return [...tools, { role: 'user', content: partsContent(parts) }]
}

function assistantMessage(content: Content, at: string): ChatMessage {
  const texts: string[] = []
  const calls: ToolCall[] = []
  blocksOf(content).forEach((b, i) => {
    const where = `${at}.${i}`
    if (b.type === 'text') texts.push(textOfBlock(b, where))
    else if (b.type === 'tool_use') {
      if (typeof b.id !== 'string' || !b.id) throw bad(`${where}.id`, 'a tool_use block needs an id')
      if (typeof b.name !== 'string' || !b.name) throw bad(`${where}.name`, 'a tool_use block needs a name')
      const input = b.input ?? {}
      if (!isObject(input)) throw bad(`${where}.input`, 'tool_use input must be an object')
      calls.push({ id: callIdOf(b.id), type: 'function', function: { name: b.name, arguments: JSON.stringify(input) } })
    } else if (!DROPPED_ASSISTANT_BLOCK.test(b.type)) throw bad(`${where}.type`, `content blocks of type ${b.type} are not supported`)
  })
  const text = texts.join('')
  const message: ChatMessage = { role: 'assistant', content: text || (calls.length ? null : '') }
  if (calls.length) message.tool_calls = calls
  return message
}

/** The conversation as chat messages: the system prompt first, then each turn in order. */
export function toChatMessages(body: CountBody): ChatMessage[] {
  const out: ChatMessage[] = []
  const system = body.system == null ? '' : textOnly(body.system, 'system')
  if (system) out.push({ role: 'system', content: system })
  body.messages.forEach((m, i) => {
    const at = `messages.${i}.content`
    if (m.role === 'system') out.push({ role: 'system', content: textOnly(m.content, at) })
    else if (m.role === 'assistant') out.push(assistantMessage(m.content, at))
    else out.push(...userMessages(m.content, at))
  })
  if (!out.some((m) => m.role !== 'system')) throw bad('messages', 'at least one user or assistant message is required')
  return out
}

/** Client tools as OpenAI function tools. Anthropic's server tools (web search, bash, text
 * editor…) carry a versioned type and no schema: no upstream here can run them, so they go. */
export function toFunctionTools(tools: readonly Tool[] | null | undefined): unknown[] {
  return (tools ?? []).flatMap((t, i) => {
    if (!t.input_schema) {
      if (t.type && t.type !== 'custom') return []
      throw bad(`tools.${i}.input_schema`, 'Field required')
    }
    const fn: Record<string, unknown> = { name: t.name, parameters: t.input_schema }
    if (t.description) fn.description = t.description
    return [{ type: 'function', function: fn }]
  })
}

function toolChoiceOf(choice: MessagesBody['tool_choice']): unknown {
  if (!choice) return undefined
  if (choice.type === 'any') return 'required'
  if (choice.type === 'tool') {
    if (!choice.name) throw bad('tool_choice.name', 'Field required')
    return { type: 'function', function: { name: choice.name } }
  }
  return choice.type
}

const EFFORTS: Readonly<Record<string, ReasoningRequest['effort']>> = { minimal: 'minimal', low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' }

function reasoningOf(body: MessagesBody): ReasoningRequest | undefined {
  const t = body.thinking
  if (!t || t.type === 'disabled') return undefined
  if (t.type === 'enabled') {
    if (t.budget_tokens == null) throw bad('thinking.budget_tokens', 'Field required')
    return { budgetTokens: t.budget_tokens }
  }
  const effort = body.output_config?.effort
  return { effort: (effort && Object.hasOwn(EFFORTS, effort) && EFFORTS[effort]) || 'medium' }
}

/** The tokens a prompt takes, as count_tokens and the billing estimate see it. */
export interface MappedPrompt {
  messages: ChatMessage[]
  tools: unknown[]
}

/** The prompt alone (count_tokens). Bounded first: mapping serialises what tools returned. */
export function toPrompt(body: CountBody): MappedPrompt {
  checkLimits(body, {})
  return mapPrompt(body)
}

const mapPrompt = (body: CountBody): MappedPrompt => ({ messages: toChatMessages(body), tools: toFunctionTools(body.tools) })

/** The request as the core takes it (the model is resolved by the core). */
export function toBaseRequest(body: MessagesBody): Omit<BaseRequest, 'requestedModel'> {
  const extra: Record<string, unknown> = {}
  if (body.top_k != null) extra.top_k = body.top_k
  if (body.tool_choice?.disable_parallel_tool_use) extra.parallel_tool_calls = false
  checkLimits(body, extra)
  const { messages, tools } = mapPrompt(body)
  const request: Omit<BaseRequest, 'requestedModel'> = { messages, stream: body.stream === true, max_tokens: body.max_tokens, extra }
  if (tools.length) {
    request.tools = tools
    const choice = toolChoiceOf(body.tool_choice)
    if (choice !== undefined) request.tool_choice = choice
  } else delete extra.parallel_tool_calls // OpenAI refuses it without tools
  if (body.temperature != null) request.temperature = body.temperature
  if (body.top_p != null) request.top_p = body.top_p
  if (body.stop_sequences?.length) request.stop = body.stop_sequences
  const reasoning = reasoningOf(body)
  if (reasoning) request.reasoning = reasoning
  if (body.metadata?.user_id) request.user = body.metadata.user_id
  return request
}
