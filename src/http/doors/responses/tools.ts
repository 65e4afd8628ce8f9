// Responses tools, tool_choice and text.format in the chat shape the core takes. Only function
// tools reach an upstream: hosted tools (web_search, file_search, mcp...), custom grammar tools
// and tool_search have no chat equivalent and are dropped, never refused, because agents such as
// Codex send them with every request. A `namespace` (Codex groups tools this way) is flattened:
// its function tools join the list under their own names, and a call to one names its namespace
// again on the way out (OutputBuilder).
import { isObject } from '../../../kit/json.js'
import type { ChatRequest } from '../../../kit/types.js'
import { ApiError } from '../../errors.js'

export interface ChatTool {
  type: 'function'
  function: { name: string; description?: string; parameters?: unknown; strict?: boolean }
}

export interface MappedTools {
  tools: ChatTool[]
  /** Function name → the namespace it came from. */
  namespaces: Map<string, string>
}

function functionTool(raw: Record<string, unknown>, param: string): ChatTool {
  if (typeof raw.name !== 'string' || !raw.name) throw ApiError.badRequest(`${param}.name: a function tool needs a name`, `${param}.name`, 'invalid_value')
  const fn: ChatTool['function'] = { name: raw.name }
  if (typeof raw.description === 'string') fn.description = raw.description
  if (isObject(raw.parameters)) fn.parameters = raw.parameters
  if (typeof raw.strict === 'boolean') fn.strict = raw.strict
  return { type: 'function', function: fn }
}

export function chatTools(tools: readonly Record<string, unknown>[] | null | undefined): MappedTools {
  const out: ChatTool[] = []
  const namespaces = new Map<string, string>()
  const names = new Set<string>()
  const add = (tool: ChatTool, namespace?: string) => {
    if (names.has(tool.function.name)) return // a name taken by an earlier tool keeps the earlier one
    names.add(tool.function.name)
    out.push(tool)
    if (namespace) namespaces.set(tool.function.name, namespace)
  }
  for (const [i, tool] of (tools ?? []).entries()) {
    if (tool.type === 'function') add(functionTool(tool, `tools.${i}`))
    else if (tool.type === 'namespace' && typeof tool.name === 'string' && Array.isArray(tool.tools)) {
      for (const [j, inner] of tool.tools.entries()) {
        if (isObject(inner) && inner.type === 'function') add(functionTool(inner, `tools.${i}.tools.${j}`), tool.name)
      }
    }
  }
  return { tools: out, namespaces }
}

/** tool_choice for the chat request; undefined when it names only tools that were dropped. */
export function chatToolChoice(choice: unknown, tools: readonly ChatTool[]): ChatRequest['tool_choice'] {
  if (choice == null || !tools.length) return undefined
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice
  if (!isObject(choice)) throw ApiError.badRequest('tool_choice: expected auto, none, required or an object', 'tool_choice', 'invalid_value')
  if (choice.type === 'function') {
    const name = choice.name
    if (typeof name !== 'string' || !tools.some((t) => t.function.name === name)) {
      throw ApiError.badRequest(`tool_choice.name: no function tool named ${JSON.stringify(name)} in tools`, 'tool_choice.name', 'invalid_value')
    }
    return { type: 'function', function: { name } }
  }
  if (choice.type === 'allowed_tools') return choice.mode === 'required' ? 'required' : 'auto'
  return undefined // a hosted or custom tool: it does not exist upstream
}

/** text.format → response_format in the chat shape. */
export function responseFormat(format: Record<string, unknown> | null | undefined): ChatRequest['response_format'] {
  if (!format || format.type === 'text') return undefined
  if (format.type === 'json_object') return { type: 'json_object' }
  if (format.type === 'json_schema') {
    if (!isObject(format.schema)) throw ApiError.badRequest('text.format.schema: a json_schema format needs a schema object', 'text.format.schema', 'invalid_value')
    const schema: Record<string, unknown> = { name: typeof format.name === 'string' && format.name ? format.name : 'response', schema: format.schema }
    if (typeof format.description === 'string') schema.description = format.description
    if (typeof format.strict === 'boolean') schema.strict = format.strict
    return { type: 'json_schema', json_schema: schema }
  }
  throw ApiError.badRequest(`text.format.type: expected text, json_object or json_schema, got ${JSON.stringify(format.type)}`, 'text.format.type', 'invalid_value')
}
