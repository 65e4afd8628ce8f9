// ChatRequest (OpenAI-shaped) → an Anthropic Messages API request body. Pure: no I/O.
import { invalidRequest, notSupported } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { textOf } from '../../src/kit/messages.js'
import type { ChatMessage, ChatRequest, ContentPart } from '../../src/kit/types.js'
import { EFFORT_BUDGETS, MIN_THINKING_BUDGET, PROVIDER_ID, type ThinkingStyle } from './constants.js'

export type Block = Record<string, unknown> & { type: string }
export interface Turn {
  role: 'user' | 'assistant'
  content: Block[]
}

export interface BuildOptions {
  maxTokensDefault: number
  thinkingBudgetDefault: number
  thinkingStyle: ThinkingStyle
  /** Instance name, for error messages. */
  provider?: string
}

/** Anthropic wants the conversation to open with a user turn; this stands in when it does not. */
export const LEADING_USER_PLACEHOLDER = '.'

const fail = (message: string, provider = PROVIDER_ID) => invalidRequest(`${provider}: ${message}`, { provider })

const DATA_URL = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s

function imageBlock(url: string, provider?: string): Block {
  const data = DATA_URL.exec(url)
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } }
  throw fail('an image must be a data: URL or an http(s) URL', provider)
}

function fileBlock(file: Record<string, unknown>, provider?: string): Block {
  const data = typeof file.file_data === 'string' ? DATA_URL.exec(file.file_data) : null
  if (!data) throw notSupported(`${provider ?? PROVIDER_ID}: only files sent inline as base64 data: URLs can be passed on`, { provider })
  const block: Block = { type: 'document', source: { type: 'base64', media_type: data[1], data: data[2] } }
  if (typeof file.filename === 'string') block.title = file.filename
  return block
}

function partBlocks(content: ChatMessage['content'], provider?: string): Block[] {
  if (content == null) return []
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : []
  return content.flatMap((p: ContentPart): Block[] => {
    if (p.type === 'text') return p.text ? [{ type: 'text', text: p.text }] : []
    if (p.type === 'image_url') return [imageBlock(p.image_url.url, provider)]
    if (p.type === 'file') return [fileBlock(p.file, provider)]
    throw notSupported(`${provider ?? PROVIDER_ID}: audio input is not supported by the Messages API`, { provider })
  })
}

function toolInput(args: string, name: string, provider?: string): Record<string, unknown> {
  if (!args.trim()) return {}
  const input = asObject(tryJson(args))
  if (!input) throw fail(`the arguments of tool call ${name} are not a JSON object`, provider)
  return input
}

/** One chat message → the turn it becomes (system messages are handled by the caller). */
function turnOf(m: ChatMessage, nativeTools: boolean, provider?: string): Turn {
  if (m.role === 'assistant') {
    // reasoning_content is dropped: Anthropic accepts earlier thinking only with its signature.
    const content = partBlocks(m.content, provider)
    for (const call of m.tool_calls ?? []) {
      const input = toolInput(call.function.arguments, call.function.name, provider)
      content.push(
        nativeTools
          ? { type: 'tool_use', id: call.id, name: call.function.name, input }
          : { type: 'text', text: `[called tool ${call.function.name} with ${JSON.stringify(input)}]` },
      )
    }
    return { role: 'assistant', content }
  }
  if (m.role === 'tool') {
    if (!m.tool_call_id) throw fail('a tool message needs tool_call_id', provider)
    const result = partBlocks(m.content, provider)
    if (!nativeTools) return { role: 'user', content: [{ type: 'text', text: `[tool result for ${m.tool_call_id}] ${textOf(m.content)}` }] }
    const block: Block = { type: 'tool_result', tool_use_id: m.tool_call_id }
    if (result.length) block.content = result.every((b) => b.type === 'text') ? result.map((b) => b.text).join('\n') : result
    return { role: 'user', content: [block] }
  }
  return { role: 'user', content: partBlocks(m.content, provider) }
}

/** Merge consecutive same-role turns (Anthropic needs strict alternation); tool results go first. */
export function toTurns(messages: readonly ChatMessage[], nativeTools: boolean, provider?: string): Turn[] {
  const turns: Turn[] = []
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') continue
    const turn = turnOf(m, nativeTools, provider)
    if (!turn.content.length) continue
    const last = turns.at(-1)
    if (last && last.role === turn.role) last.content.push(...turn.content)
    else turns.push(turn)
  }
  for (const t of turns) {
    // A user turn must open with its tool_result blocks, answering the assistant turn before it.
    if (t.role === 'user') t.content.sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'))
  }
  if (!turns.length) throw fail('the request needs at least one user or assistant message', provider)
  if (turns[0]!.role === 'assistant') turns.unshift({ role: 'user', content: [{ type: 'text', text: LEADING_USER_PLACEHOLDER }] })
  return turns
}

function systemOf(messages: readonly ChatMessage[]): Block[] {
  return messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => textOf(m.content))
    .filter((text) => text)
    .map((text) => ({ type: 'text', text }))
}

function functionTools(tools: readonly unknown[] | undefined): Record<string, unknown>[] {
  return (tools ?? []).flatMap((t) => {
    const fn = asObject(asObject(t)?.function)
    if (asObject(t)?.type !== 'function' || typeof fn?.name !== 'string') return []
    const schema = asObject(fn.parameters) ?? { type: 'object', properties: {} }
    const tool: Record<string, unknown> = { name: fn.name, input_schema: { type: 'object', ...schema } }
    if (typeof fn.description === 'string') tool.description = fn.description
    return [tool]
  })
}

/** OpenAI tool_choice → Anthropic's; undefined leaves the API default (auto). */
export function toolChoiceOf(choice: unknown, parallel: unknown): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined
  if (choice === 'auto') out = { type: 'auto' }
  else if (choice === 'none') out = { type: 'none' }
  else if (choice === 'required') out = { type: 'any' }
  else {
    const name = asObject(asObject(choice)?.function)?.name
    if (typeof name === 'string') out = { type: 'tool', name }
  }
  if (parallel === false) out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true }
  return out
}

interface Thinking {
  thinking: Record<string, unknown>
  effort?: string
  budget?: number
}

/** What the client asked for, as this model can take it; undefined = thinking off. */
export function thinkingOf(req: ChatRequest, o: BuildOptions): Thinking | undefined {
  const { effort, budgetTokens } = req.reasoning ?? {}
  if (effort === 'none') return undefined
  if (budgetTokens === undefined && effort === undefined && !req.flags.has('thinking')) return undefined
  if (o.thinkingStyle === 'adaptive') {
    const level = effort === 'minimal' ? 'low' : effort
    return { thinking: { type: 'adaptive' }, ...(level ? { effort: level } : {}) }
  }
  const budget = Math.max(MIN_THINKING_BUDGET, budgetTokens ?? (effort ? EFFORT_BUDGETS[effort] : o.thinkingBudgetDefault))
  return { thinking: { type: 'enabled', budget_tokens: budget }, budget }
}

const endsInToolUse = (turns: readonly Turn[]) =>
  turns.findLast((t) => t.role === 'assistant')?.content.some((b) => b.type === 'tool_use') ?? false

export function buildBody(req: ChatRequest, o: BuildOptions): Record<string, unknown> {
  const tools = functionTools(req.tools)
  const turns = toTurns(req.messages, tools.length > 0, o.provider)
  const body: Record<string, unknown> = { model: req.model, messages: turns, stream: req.stream }
  const system = systemOf(req.messages)
  if (system.length) body.system = system
  let maxTokens = req.max_tokens ?? o.maxTokensDefault
  const toolChoice = tools.length ? toolChoiceOf(req.tool_choice, req.extra.parallel_tool_calls) : undefined
  if (tools.length) body.tools = tools
  if (toolChoice) body.tool_choice = toolChoice
  // The API refuses thinking with a forced tool, and, in a tool loop, without the signed thinking
  // block of the last assistant turn, which OpenAI-shaped history cannot carry.
  const forced = toolChoice?.type === 'any' || toolChoice?.type === 'tool'
  const thinking = forced || endsInToolUse(turns) ? undefined : thinkingOf(req, o)
  if (thinking) {
    body.thinking = thinking.thinking
    if (thinking.effort) body.output_config = { effort: thinking.effort }
    // budget_tokens must stay below max_tokens: the client's limit is for the visible answer.
    if (thinking.budget !== undefined && maxTokens <= thinking.budget) maxTokens += thinking.budget
  } else {
    // Anthropic's temperature range is 0..1 where OpenAI's is 0..2; thinking takes none of these.
    if (req.temperature !== undefined) body.temperature = Math.min(req.temperature, 1)
    if (req.top_p !== undefined) body.top_p = req.top_p
    if (typeof req.extra.top_k === 'number') body.top_k = req.extra.top_k
  }
  body.max_tokens = maxTokens
  if (req.stop?.length) body.stop_sequences = req.stop
  if (req.user) body.metadata = { user_id: req.user }
  return body
}
