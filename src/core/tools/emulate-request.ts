// A request with tools, rewritten for an upstream without function calling: the tools and the
// convention go into the system message, earlier calls and their results become plain turns.
import { invalidRequest } from '../../kit/errors.js'
import { textOf } from '../../kit/messages.js'
import type { ChatMessage, ChatRequest, CommonSettings } from '../../kit/types.js'
import { allowsParallelCalls, toolChoiceOf, toolSpecsOf } from './catalog.js'
import { renderCall } from './convention.js'
import { choiceReminder, toolInstructions } from './instructions.js'
import type { ScannerOptions } from './scanner.js'

const hasToolTurns = (messages: readonly ChatMessage[]) => messages.some((m) => m.role === 'tool' || m.tool_calls?.length)

/**
 * Does this request need emulation on this provider? It does when the provider has
 * `tool_emulation` on and the request offers function tools (tool_choice other than `none`) or
 * carries earlier tool turns, which a web chat can only read as text.
 */
export function shouldEmulate(req: ChatRequest, settings: Pick<CommonSettings, 'tool_emulation'>): boolean {
  if (!settings.tool_emulation) return false
  const offers = toolSpecsOf(req.tools).length > 0 && toolChoiceOf(req.tool_choice).kind !== 'none'
  return offers || hasToolTurns(req.messages)
}

/**
 * The request as the web adapter should see it: no `tools`, `tool_choice` or
 * `parallel_tool_calls`; the tool catalogue and the convention appended to the first system (or
 * developer) message, or a new system message first; assistant calls written as blocks; tool
 * results (and the user message right after them) folded into one user message; a short
 * reminder in the newest user message when tool_choice is `required`, a named tool or `none`.
 * Throws invalid_request when tool_choice names a tool that is not offered.
 */
export function emulateToolsRequest(req: ChatRequest): ChatRequest {
  const tools = toolSpecsOf(req.tools)
  const choice = toolChoiceOf(req.tool_choice)
  if (choice.kind === 'named' && !tools.some((t) => t.name === choice.name))
    throw invalidRequest(`tool_choice names the tool ${choice.name}, which is not among the tools offered`)
  let messages = textTurns(req.messages)
  if (tools.length && choice.kind !== 'none') messages = withSystemText(messages, toolInstructions(tools, allowsParallelCalls(req)))
  const reminder = choiceReminder(choice)
  if (reminder) messages = withReminder(messages, reminder)
  const { tools: _tools, tool_choice: _choice, ...rest } = req
  const { parallel_tool_calls: _parallel, ...extra } = req.extra
  return { ...rest, messages, extra }
}

/** What extractToolCalls needs to know about the same (original) request. */
export function extractOptionsFor(req: ChatRequest): ScannerOptions {
  const choice = toolChoiceOf(req.tool_choice)
  const known = new Set(choice.kind === 'none' ? [] : toolSpecsOf(req.tools).map((t) => t.name))
  return allowsParallelCalls(req) ? { known } : { known, maxCalls: 1 }
}

function textTurns(messages: readonly ChatMessage[]): ChatMessage[] {
  const names = new Map<string, string>()
  for (const m of messages) for (const c of m.tool_calls ?? []) names.set(c.id, c.function.name)
  const out: ChatMessage[] = []
  let results: string[] = []
  for (const m of messages) {
    if (m.role === 'tool') {
      const name = names.get(m.tool_call_id ?? '') ?? m.name ?? 'unknown'
      results.push(`tool result for ${name} (${m.tool_call_id ?? 'no id'}): ${textOf(m.content)}`)
      continue
    }
    if (results.length) {
      out.push(m.role === 'user' ? withText(m, results.join('\n\n'), 'before') : { role: 'user', content: results.join('\n\n') })
      results = []
      if (m.role === 'user') continue
    }
    if (m.role === 'assistant' && m.tool_calls?.length) {
      const { tool_calls: calls, ...plain } = m
      const blocks = calls.map((c) => renderCall(c.function.name, c.function.arguments))
      out.push({ ...plain, content: [textOf(m.content).trim(), ...blocks].filter(Boolean).join('\n') })
    } else out.push(m)
  }
  if (results.length) out.push({ role: 'user', content: results.join('\n\n') })
  return out
}

function withSystemText(messages: ChatMessage[], text: string): ChatMessage[] {
  const at = messages.findIndex((m) => m.role === 'system' || m.role === 'developer')
  if (at < 0) return [{ role: 'system', content: text }, ...messages]
  return messages.map((m, i) => (i === at ? withText(m, text, 'after') : m))
}

function withReminder(messages: ChatMessage[], reminder: string): ChatMessage[] {
  const at = messages.findLastIndex((m) => m.role === 'user')
  if (at < 0) return messages
  return messages.map((m, i) => (i === at ? withText(m, reminder, 'after') : m))
}

/** The message with `text` added before or after its own content (images and other parts kept). */
function withText(m: ChatMessage, text: string, where: 'before' | 'after'): ChatMessage {
  if (typeof m.content === 'string' || m.content == null) {
    if (!m.content) return { ...m, content: text }
    return { ...m, content: where === 'before' ? `${text}\n\n${m.content}` : `${m.content}\n\n${text}` }
  }
  const part = { type: 'text' as const, text }
  return { ...m, content: where === 'before' ? [part, ...m.content] : [...m.content, part] }
}
