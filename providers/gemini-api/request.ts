// ChatRequest (OpenAI-shaped) → a generateContent request body. Pure: no I/O.
import { invalidRequest, notSupported } from '../../src/kit/errors.js'
import { asObject, tryJson } from '../../src/kit/json.js'
import { dataUrlParts } from '../../src/kit/data-url.js'
import { textOf } from '../../src/kit/messages.js'
import type { ChatMessage, ChatRequest, ContentPart } from '../../src/kit/types.js'
import { DYNAMIC_THINKING, EFFORT_BUDGETS, REPLAY_THOUGHT_SIGNATURE, needsThoughtSignature } from './constants.js'

export type Part = Record<string, unknown>
export interface Content {
  role: 'user' | 'model'
  parts: Part[]
}

const MIME_BY_EXT: Readonly<Record<string, string>> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic' }

/** An image URL → inline data (data: URLs) or a file reference (http URLs, mime type from the extension). */
function imagePart(url: string, provider: string): Part {
  const inline = dataUrlParts(url)
  if (inline) return { inlineData: { mimeType: inline.mime, data: inline.data } }
  if (!/^https?:\/\//i.test(url)) throw invalidRequest(`${provider}: an image must be a data: URL or an http(s) URL`, { provider })
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(new URL(url).pathname)?.[1]?.toLowerCase() ?? ''
  return { fileData: { mimeType: MIME_BY_EXT[ext] ?? 'image/jpeg', fileUri: url } }
}

function partsOf(content: ChatMessage['content'], provider: string): Part[] {
  if (content == null) return []
  if (typeof content === 'string') return content ? [{ text: content }] : []
  return content.flatMap((p: ContentPart): Part[] => {
    if (p.type === 'text') return p.text ? [{ text: p.text }] : []
    if (p.type === 'image_url') return [imagePart(p.image_url.url, provider)]
    if (p.type === 'input_audio') return [{ inlineData: { mimeType: `audio/${p.input_audio.format}`, data: p.input_audio.data } }]
    const inline = typeof p.file.file_data === 'string' ? dataUrlParts(p.file.file_data) : undefined
    if (!inline) throw notSupported(`${provider}: only files sent inline as base64 data: URLs can be passed on`, { provider })
    return [{ inlineData: { mimeType: inline.mime, data: inline.data } }]
  })
}

/** A functionResponse's response must be an object: JSON objects pass, anything else is wrapped. */
function responseOf(content: ChatMessage['content']): Record<string, unknown> {
  const text = textOf(content)
  return asObject(tryJson(text)) ?? { content: text }
}

export function toContents(messages: readonly ChatMessage[], model: string, provider: string): Content[] {
  const names = new Map<string, string>()
  const out: Content[] = []
  const push = (role: Content['role'], parts: Part[]) => {
    if (!parts.length) return
    const last = out.at(-1)
    // Gemini wants turns to alternate; consecutive messages of one side become one turn.
    if (last?.role === role) last.parts.push(...parts)
    else out.push({ role, parts })
  }
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') continue
    if (m.role === 'assistant') {
      const parts = partsOf(m.content, provider)
      ;(m.tool_calls ?? []).forEach((call, i) => {
        names.set(call.id, call.function.name)
        const args = call.function.arguments.trim() ? asObject(tryJson(call.function.arguments)) : {}
        if (!args) throw invalidRequest(`${provider}: the arguments of tool call ${call.function.name} are not a JSON object`, { provider })
        const part: Part = { functionCall: { name: call.function.name, args } }
        if (i === 0 && needsThoughtSignature(model)) part.thoughtSignature = REPLAY_THOUGHT_SIGNATURE
        parts.push(part)
      })
      push('model', parts)
    } else if (m.role === 'tool') {
      const name = (m.tool_call_id && names.get(m.tool_call_id)) || m.name || m.tool_call_id || 'tool'
      push('user', [{ functionResponse: { name, response: responseOf(m.content) } }])
    } else push('user', partsOf(m.content, provider))
  }
  if (!out.length) throw invalidRequest(`${provider}: the request needs at least one user or assistant message`, { provider })
  return out
}

function systemInstructionOf(messages: readonly ChatMessage[]): Record<string, unknown> | undefined {
  const texts = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).filter(Boolean)
  return texts.length ? { parts: texts.map((text) => ({ text })) } : undefined
}

function toolsOf(tools: readonly unknown[] | undefined): Record<string, unknown>[] | undefined {
  const declarations = (tools ?? []).flatMap((t) => {
    const fn = asObject(asObject(t)?.function)
    if (asObject(t)?.type !== 'function' || typeof fn?.name !== 'string') return []
    const d: Record<string, unknown> = { name: fn.name }
    if (typeof fn.description === 'string') d.description = fn.description
    // parametersJsonSchema takes JSON Schema as OpenAI clients write it (parameters wants Google's subset).
    if (asObject(fn.parameters)) d.parametersJsonSchema = fn.parameters
    return [d]
  })
  return declarations.length ? [{ functionDeclarations: declarations }] : undefined
}

/** OpenAI tool_choice → toolConfig.functionCallingConfig; undefined leaves AUTO. */
export function toolConfigOf(choice: unknown): Record<string, unknown> | undefined {
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } }
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } }
  const name = asObject(asObject(choice)?.function)?.name
  if (typeof name === 'string') return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } }
  return undefined
}

/** What the client asked for as thinkingConfig; undefined leaves the model's default. */
export function thinkingConfigOf(req: ChatRequest): Record<string, unknown> | undefined {
  const { effort, budgetTokens } = req.reasoning ?? {}
  if (effort === 'none') return { thinkingBudget: 0 }
  if (budgetTokens === undefined && effort === undefined && !req.flags.has('thinking')) return undefined
  return { includeThoughts: true, thinkingBudget: budgetTokens ?? (effort ? EFFORT_BUDGETS[effort] : DYNAMIC_THINKING) }
}

function generationConfigOf(req: ChatRequest): Record<string, unknown> {
  const g: Record<string, unknown> = {}
  if (req.temperature !== undefined) g.temperature = req.temperature
  if (req.top_p !== undefined) g.topP = req.top_p
  if (typeof req.extra.top_k === 'number') g.topK = req.extra.top_k
  if (req.max_tokens !== undefined) g.maxOutputTokens = req.max_tokens
  if (req.stop?.length) g.stopSequences = req.stop
  if (typeof req.extra.seed === 'number') g.seed = req.extra.seed
  if (typeof req.extra.presence_penalty === 'number') g.presencePenalty = req.extra.presence_penalty
  if (typeof req.extra.frequency_penalty === 'number') g.frequencyPenalty = req.extra.frequency_penalty
  const format = asObject(req.response_format)
  if (format?.type === 'json_object') g.responseMimeType = 'application/json'
  if (format?.type === 'json_schema') {
    g.responseMimeType = 'application/json'
    const schema = asObject(asObject(format.json_schema)?.schema)
    if (schema) g.responseJsonSchema = schema
  }
  const thinking = thinkingConfigOf(req)
  if (thinking) g.thinkingConfig = thinking
  return g
}

export function buildBody(req: ChatRequest, provider: string): Record<string, unknown> {
  const body: Record<string, unknown> = { contents: toContents(req.messages, req.model, provider) }
  const system = systemInstructionOf(req.messages)
  if (system) body.systemInstruction = system
  const tools = toolsOf(req.tools)
  if (tools) {
    body.tools = tools
    const config = toolConfigOf(req.tool_choice)
    if (config) body.toolConfig = config
  }
  const generationConfig = generationConfigOf(req)
  if (Object.keys(generationConfig).length) body.generationConfig = generationConfig
  const safety = req.extra.safetySettings ?? req.extra.safety_settings
  if (Array.isArray(safety)) body.safetySettings = safety
  return body
}
