// What a request offers: its function tools and its tool_choice, read from the shapes the front
// doors produce (chat completions, and the flat Responses / Anthropic tool shapes).
import { isObject } from '../../kit/json.js'
import type { ChatRequest } from '../../kit/types.js'

export interface ToolSpec {
  name: string
  description?: string
  /** JSON Schema of the arguments object. */
  parameters?: unknown
}

export type ToolChoice = { kind: 'auto' } | { kind: 'none' } | { kind: 'required' } | { kind: 'named'; name: string }

/** Function tools only; tools of other types (web_search, namespace...) cannot be emulated. */
export function toolSpecsOf(tools: ChatRequest['tools']): ToolSpec[] {
  const specs: ToolSpec[] = []
  for (const tool of tools ?? []) {
    if (!isObject(tool) || (tool.type !== undefined && tool.type !== 'function')) continue
    const fn = isObject(tool.function) ? tool.function : tool
    if (typeof fn.name !== 'string' || !fn.name) continue
    const spec: ToolSpec = { name: fn.name }
    if (typeof fn.description === 'string' && fn.description) spec.description = fn.description
    const parameters = fn.parameters ?? fn.input_schema
    if (parameters !== undefined) spec.parameters = parameters
    specs.push(spec)
  }
  return specs
}

export function toolChoiceOf(choice: unknown): ToolChoice {
  const kind = isObject(choice) ? choice.type : choice
  if (kind === 'none') return { kind: 'none' }
  if (kind === 'required' || kind === 'any') return { kind: 'required' }
  if (isObject(choice)) {
    const name = isObject(choice.function) ? choice.function.name : choice.name
    if (typeof name === 'string' && name) return { kind: 'named', name }
  }
  return { kind: 'auto' }
}

/** `parallel_tool_calls: false` allows one call per answer. */
export const allowsParallelCalls = (req: ChatRequest): boolean => req.extra.parallel_tool_calls !== false
